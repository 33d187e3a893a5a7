"""The raw/ snapshot: captures stored byte for byte, described by one manifest.

Layout::

    raw/manifest.json               one entry per URL, sorted by URL
    raw/captures/<sha256>.<ext>     the bytes exactly as received

Captures are content-addressed, so identical bytes are stored once and a
capture's file name proves its integrity. Every write goes to a temporary
file that is renamed into place, so an interrupted run never leaves a half
file or a broken manifest.

Nothing read from raw/ or from a corpus file is trusted: the manifest is
checked field by field when it is loaded, a capture is only ever read from a
regular file inside captures/ whose size and sha256 match the manifest, and
an import stores all of its lines or none of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeGuard, Unpack
from urllib.parse import urlsplit

from .site import PAGE_KINDS, page_kind

MANIFEST_NAME = "manifest.json"
CAPTURES_DIR = "captures"
MANIFEST_FORMAT = 1
TEMPORARY_SUFFIX = ".tmp"
FILE_MODE = 0o644
"""raw/ is data to share: its files are readable by group and others, like the committed ones."""
_EXTENSIONS = {"text/html": ".html", "text/plain": ".txt"}


class RawStoreError(Exception):
    """raw/ is missing, unreadable or inconsistent with its manifest."""


class _Refused(Exception):
    """Why one value or file is not accepted; the caller adds where it came from."""


@dataclass(frozen=True)
class Capture:
    """One stored page and what is known about how it was obtained."""

    url: str
    content_type: str
    sha256: str
    path: str
    size: int
    kind: str | None = None
    complete: bool = True
    fetched_at: str | None = None
    final_url: str | None = None
    status: int | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None
    source: str | None = None
    found_on: str | None = None
    """For a detail page: the listing (its first page) that linked it when it was fetched."""


class CaptureMeta(TypedDict, total=False):
    """What `RawStore.put` and `touch` accept besides the URL and the bytes: a Capture's optional fields."""

    kind: str | None
    complete: bool
    fetched_at: str | None
    final_url: str | None
    status: int | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    checked_at: str | None
    source: str | None
    found_on: str | None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write `data` to `path` via a temporary file and rename, never a half file.

    `sync` also flushes the file to disk before the rename, which guards against
    power loss as well as a killed process; it costs about a millisecond a file.
    The file gets FILE_MODE: mkstemp makes it private (0600), which would hide
    raw/ from the other users and services that read it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- checking what raw/ and corpus files say -----------------------------------------------------------------

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _is_str(value: object) -> TypeGuard[str]:
    return isinstance(value, str)


def _is_http_url(value: object) -> bool:
    """An absolute http(s) URL with a host: anything else cannot be a page of the site."""
    if not _is_str(value) or _CONTROL_CHARACTERS.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_kind(value: object) -> bool:
    """A page kind's current or legacy name (committed manifests say `project` for `detail`)."""
    try:
        return _is_str(value) and bool(page_kind(value))
    except ValueError:
        return False


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no number


def _is_size(value: object) -> bool:
    return _is_int(value) and value >= 0


def _is_sha256(value: object) -> bool:
    return _is_str(value) and bool(_SHA256.fullmatch(value))


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _or_none(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda value: value is None or check(value)


_Rules = dict[str, tuple[str, Callable[[object], bool]]]
"""Field name → (what it must be, in words; the check)."""

_URL_RULE = ("an absolute http(s) URL", _is_http_url)
_KIND_RULE = (f"null or a page kind ({', '.join(PAGE_KINDS)})", _or_none(_is_kind))
_BOOL_RULE = ("true or false", _is_bool)
_TEXT_OR_NULL_RULE = ("a string or null", _or_none(_is_str))

_CAPTURE_RULES: _Rules = {
    "url": _URL_RULE,
    "content_type": ("a string", _is_str),
    "sha256": ("64 lowercase hex digits", _is_sha256),
    "path": ("a string", _is_str),
    "size": ("a non-negative integer", _is_size),
    "kind": _KIND_RULE,
    "complete": _BOOL_RULE,
    "fetched_at": _TEXT_OR_NULL_RULE,
    "final_url": _TEXT_OR_NULL_RULE,
    "status": ("an integer or null", _or_none(_is_int)),
    "charset": _TEXT_OR_NULL_RULE,
    "etag": _TEXT_OR_NULL_RULE,
    "last_modified": _TEXT_OR_NULL_RULE,
    "checked_at": _TEXT_OR_NULL_RULE,
    "source": _TEXT_OR_NULL_RULE,
    "found_on": _TEXT_OR_NULL_RULE,
}
"""Every field of a manifest entry; a Capture field missing here makes saved manifests unloadable (tests catch it)."""

_CAPTURE_REQUIRED = tuple(field.name for field in dataclasses.fields(Capture) if field.default is dataclasses.MISSING)

_CORPUS_RULES: _Rules = {
    "url": _URL_RULE,
    "text": ("a string", _is_str),
    "kind": _KIND_RULE,
    "complete": _BOOL_RULE,
    "fetched_at": _TEXT_OR_NULL_RULE,
}
"""The fields of a corpus line that are stored; other keys are ignored, as they always were."""


def _shown(value: object, limit: int = 80) -> str:
    """A value as it appears in a message: its repr, cut short so a huge value cannot flood the terminal."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _check_fields(entry: dict[str, Any], rules: _Rules, required: tuple[str, ...], *, closed: bool) -> None:
    """Raise _Refused naming the first field that is missing, unknown (when `closed`) or of the wrong kind."""
    missing = [name for name in required if name not in entry]
    if missing:
        raise _Refused(f"missing {', '.join(repr(name) for name in missing)}")
    unknown = sorted(set(entry) - set(rules)) if closed else []
    if unknown:
        raise _Refused(f"unknown key {', '.join(_shown(name) for name in unknown)}")
    for name, (expected, check) in rules.items():
        value = entry.get(name)
        if isinstance(value, str) and _LONE_SURROGATES.search(value):  # JSON's "\ud800": no UTF-8 for it
            raise _Refused(f'"{name}" must be valid Unicode, not {_shown(value)} with a lone surrogate')
        if name in entry and not check(value):
            raise _Refused(f'"{name}" must be {expected}, not {_shown(value)}')


def _read_regular_file(path: Path, size: int | None = None) -> bytes:
    """The bytes of `path`, refused unless it is a regular file (of `size` bytes, when given).

    Checked before opening, so a FIFO never blocks the run and a device such as
    /dev/zero is never read; opened non-blocking and checked again in case it was
    swapped since; and never more read than the size announced.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _Refused("not a regular file")
    if size is not None and info.st_size != size:
        raise _Refused(f"{info.st_size} bytes where the manifest says {size}")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _Refused("not a regular file")
        data = handle.read(info.st_size + 1)  # one byte more shows a file that grew
    if len(data) != info.st_size:
        raise _Refused(f"changed while being read: {info.st_size} bytes, then {len(data)}")
    return data


class RawStore:
    """Read and write captures and the manifest under one raw/ directory."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.save_every = 1
        """Save the manifest after this many changes; `flush` saves the rest (a crawl batches saves)."""
        self.save_interval: float | None = None
        """…or once this many seconds have passed since the last save, whichever comes first."""
        self._captures: dict[str, Capture] | None = None
        self._unsaved = 0
        self._saved_at = time.monotonic()

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    def captures(self) -> list[Capture]:
        """All current captures, sorted by URL (the manifest's order)."""
        return [self._index()[url] for url in sorted(self._index())]

    def get(self, url: str) -> Capture | None:
        return self._index().get(url)

    def read(self, capture: Capture) -> bytes:
        """The capture's bytes, checked against the size and sha256 in the manifest.

        The path is checked again here, not only at load: a Capture can be made by
        hand, and a file can change after the manifest was read.
        """
        where = f"{self.root / capture.path}: capture of {capture.url}"
        try:
            data = _read_regular_file(self._capture_file(capture.path), capture.size)
        except _Refused as exc:
            raise RawStoreError(f"{where}: {exc}") from exc
        except OSError as exc:
            raise RawStoreError(f"{where}: cannot read: {exc.strerror}") from exc
        if sha256_hex(data) != capture.sha256:
            raise RawStoreError(f"{where}: content does not match its sha256 in {self.manifest_path}")
        return data

    def put(self, body: bytes, *, url: str, content_type: str, **meta: Unpack[CaptureMeta]) -> Capture:
        """Store `body` for `url` (once per distinct content) and record it in the manifest."""
        digest = sha256_hex(body)
        relative = f"{CAPTURES_DIR}/{digest}{_EXTENSIONS.get(content_type, '.bin')}"
        target = self.root / relative
        if not target.exists():
            # Not synced one by one: a capture is only reachable through the manifest,
            # and the manifest is written (and synced) after it.
            atomic_write(target, body, sync=False)
        capture = Capture(url=url, content_type=content_type, sha256=digest, path=relative, size=len(body), **meta)
        self._changed(capture)
        return capture

    def touch(self, url: str, **changes: Unpack[CaptureMeta]) -> Capture:
        """Update a capture's metadata (e.g. `checked_at` after a 304) without new bytes."""
        capture = dataclasses.replace(self._index()[url], **changes)
        self._changed(capture)
        return capture

    def remove(self, url: str) -> None:
        """Drop a URL's entry from the manifest; its capture file stays (it may be shared, and is history)."""
        del self._index()[url]
        self._unsaved += 1

    def flush(self) -> None:
        """Save the manifest if it has unsaved changes."""
        if self._unsaved:
            self._save()

    @contextlib.contextmanager
    def _all_or_nothing(self) -> Iterator[None]:
        """Changes made inside are saved together once at the end, or all forgotten if one fails.

        An import must not leave half a corpus in the manifest; capture files
        written before a failure are unreachable without a manifest entry.
        """
        index = self._index()
        before, unsaved, every, interval = dict(index), self._unsaved, self.save_every, self.save_interval
        self.save_every, self.save_interval = sys.maxsize, None
        try:
            yield
            self.flush()
        except BaseException:
            self._captures, self._unsaved = before, unsaved
            raise
        finally:
            self.save_every, self.save_interval = every, interval

    def _changed(self, capture: Capture) -> None:
        self._index()[capture.url] = capture
        self._unsaved += 1
        overdue = self.save_interval is not None and time.monotonic() - self._saved_at >= self.save_interval
        if self._unsaved >= self.save_every or overdue:
            self._save()

    def remove_temporaries(self) -> None:
        """Delete temporary files a killed writer left behind (never a capture or the manifest)."""
        for stray in self.root.glob(f"**/.*{TEMPORARY_SUFFIX}"):
            stray.unlink(missing_ok=True)

    def manifest_sha256(self) -> str | None:
        """Fingerprint of the whole snapshot, for the run log."""
        return sha256_hex(self.manifest_path.read_bytes()) if self.manifest_path.exists() else None

    def _index(self) -> dict[str, Capture]:
        if self._captures is None:
            self._captures = self._load()
        return self._captures

    def _load(self) -> dict[str, Capture]:
        """The manifest's captures, every entry checked before any capture is read."""
        if not self.manifest_path.exists():
            return {}
        try:
            document = json.loads(_read_regular_file(self.manifest_path).decode("utf-8"))
        except (_Refused, OSError, ValueError) as exc:  # ValueError: not UTF-8 or not JSON
            raise RawStoreError(f"{self.manifest_path}: not a valid manifest: {exc}") from exc
        captures: dict[str, Capture] = {}
        for index, entry in enumerate(self._entries(document)):
            capture = self._capture_from(entry, index)
            if capture.url in captures:
                raise RawStoreError(f"{self._where(entry, index)}: a second entry for the same url")
            captures[capture.url] = capture
        return captures

    def _entries(self, document: object) -> list[object]:
        """The `captures` list of a manifest document, whose shape is checked first."""
        if not isinstance(document, dict):
            reason = f"the document must be an object, not {type(document).__name__}"
        elif not _is_int(version := document.get("format", MANIFEST_FORMAT)) or version != MANIFEST_FORMAT:
            reason = f'"format" must be {MANIFEST_FORMAT}, not {_shown(version)}'
        elif not isinstance(document.get("captures"), list):
            reason = f'"captures" must be a list, not {_shown(document.get("captures"))}'
        else:
            entries: list[object] = document["captures"]
            return entries
        raise RawStoreError(f"{self.manifest_path}: not a valid manifest: {reason}")

    def _capture_from(self, entry: object, index: int) -> Capture:
        """One manifest entry as a Capture, or RawStoreError saying which entry and what is wrong."""
        try:
            if not isinstance(entry, dict):
                raise _Refused(f"an entry must be an object, not {_shown(entry)}")
            _check_fields(entry, _CAPTURE_RULES, _CAPTURE_REQUIRED, closed=True)
            self._capture_file(entry["path"])
        except _Refused as exc:
            raise RawStoreError(f"{self._where(entry, index)}: {exc}") from exc
        capture = Capture(**entry)
        if capture.kind is None:
            return capture
        return dataclasses.replace(capture, kind=page_kind(capture.kind))  # `project` is read as `detail`

    def _where(self, entry: object, index: int) -> str:
        """`raw/manifest.json: captures[3] (http://…)`, the url only when it is a string."""
        url = entry.get("url") if isinstance(entry, dict) else None
        return f"{self.manifest_path}: captures[{index}]" + (f" ({_shown(url)})" if isinstance(url, str) else "")

    def _capture_file(self, path: str) -> Path:
        """Where a manifest `path` really leads, refused unless that is inside captures/.

        Symlinks are followed before the check, so a link in captures/ to a file
        elsewhere is refused like `../../etc/passwd`: nothing outside raw/ is opened.
        """
        if "\0" in path:
            raise _Refused('"path" must not contain a NUL byte')
        if Path(path).is_absolute():
            raise _Refused(f'"path" must be relative to {self.root}, not {_shown(path)}')
        captures = (self.root / CAPTURES_DIR).resolve()
        try:
            real = (self.root / path).resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
            raise _Refused(f'"path" {_shown(path)} cannot be resolved: {exc}') from exc
        if real == captures or not real.is_relative_to(captures):
            raise _Refused(f'"path" {_shown(path)} leads outside {CAPTURES_DIR}/')
        return real

    def _save(self) -> None:
        document = {
            "format": MANIFEST_FORMAT,
            "captures": [_entry(capture) for capture in self.captures()],
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        atomic_write(self.manifest_path, text.encode("utf-8"))
        self._unsaved = 0
        self._saved_at = time.monotonic()


def _entry(capture: Capture) -> dict[str, object]:
    return dict(vars(capture))  # flat fields: no need for asdict's deep copy


# -- importing a corpus --------------------------------------------------------------------------------------


def import_jsonl(store: RawStore, path: Path | str) -> list[Capture]:
    """Store each `{"url", "kind", "complete", "text"}` line of a corpus file as a text capture.

    The text is stored as its UTF-8 bytes, exactly as the corpus holds it. Every
    line is checked first and every bad one reported; then either all lines are
    stored, with one manifest save, or (when any is bad) nothing is.
    """
    path = Path(path)
    try:
        data = _read_regular_file(path)
    except _Refused as exc:
        raise RawStoreError(f"{path}: {exc}") from exc
    lines: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for number, raw_line in enumerate(data.splitlines(), 1):
        try:
            entry = _corpus_entry(raw_line)
        except _Refused as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        if entry is not None:
            lines.append((number, entry))
    if problems:
        raise RawStoreError(f"{path}: nothing imported, {len(problems)} bad line(s):\n" + "\n".join(problems))
    with store._all_or_nothing():
        return [_store_line(store, entry, f"{path.name}:{number}") for number, entry in lines]


def _corpus_entry(raw_line: bytes) -> dict[str, Any] | None:
    """One corpus line as a checked object, None for a blank line; _Refused says what is wrong."""
    try:
        line = raw_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Refused(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if not line.strip():
        return None
    try:
        entry = json.loads(line)
    except ValueError as exc:
        raise _Refused(f"not JSON: {exc}") from exc
    if not isinstance(entry, dict):
        raise _Refused(f"not a JSON object: {_shown(entry)}")
    _check_fields(entry, _CORPUS_RULES, ("url", "text"), closed=False)
    return entry


def _store_line(store: RawStore, entry: dict[str, Any], source: str) -> Capture:
    kind = entry.get("kind")
    return store.put(
        entry["text"].encode("utf-8"),
        url=entry["url"],
        content_type="text/plain",
        kind=page_kind(kind) if kind is not None else None,
        complete=entry.get("complete", True),
        fetched_at=entry.get("fetched_at"),
        charset="utf-8",
        source=source,
    )
