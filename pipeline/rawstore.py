"""The raw/ snapshot: captures stored byte for byte, described by one manifest.

Layout::

    raw/manifest.json               one entry per URL, sorted by URL
    raw/captures/<sha256>.<ext>     the bytes exactly as received

Captures are content-addressed, so identical bytes are stored once and a
capture's file name proves its integrity. Every write goes to a temporary
file that is renamed into place, so an interrupted run never leaves a half
file or a broken manifest.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

from .site import page_kind

MANIFEST_NAME = "manifest.json"
CAPTURES_DIR = "captures"
MANIFEST_FORMAT = 1
TEMPORARY_SUFFIX = ".tmp"
FILE_MODE = 0o644
"""raw/ is data to share: its files are readable by group and others, like the committed ones."""
_EXTENSIONS = {"text/html": ".html", "text/plain": ".txt"}


class RawStoreError(Exception):
    """raw/ is missing, unreadable or inconsistent with its manifest."""


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
        """The capture's bytes, checked against the sha256 in the manifest."""
        path = self.root / capture.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RawStoreError(f"{path}: cannot read capture of {capture.url}: {exc.strerror}") from exc
        if sha256_hex(data) != capture.sha256:
            raise RawStoreError(f"{path}: content does not match its sha256 in {self.manifest_path}")
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
        capture = Capture(url=url, content_type=content_type, sha256=digest, path=relative,
                          size=len(body), **meta)
        self._changed(capture)
        return capture

    def touch(self, url: str, **changes: Unpack[CaptureMeta]) -> Capture:
        """Update a capture's metadata (e.g. `checked_at` after a 304) without new bytes."""
        capture = dataclasses.replace(self._index()[url], **changes)
        self._changed(capture)
        return capture

    def flush(self) -> None:
        """Save the manifest if it has unsaved changes."""
        if self._unsaved:
            self._save()

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
        if not self.manifest_path.exists():
            return {}
        try:
            document = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            entries = document["captures"]
            captures = [_with_current_kind(Capture(**entry)) for entry in entries]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RawStoreError(f"{self.manifest_path}: not a valid manifest: {exc}") from exc
        return {capture.url: capture for capture in captures}

    def _save(self) -> None:
        document = {
            "format": MANIFEST_FORMAT,
            "captures": [_entry(capture) for capture in self.captures()],
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        atomic_write(self.manifest_path, text.encode("utf-8"))
        self._unsaved = 0
        self._saved_at = time.monotonic()


def _with_current_kind(capture: Capture) -> Capture:
    """Manifests written before the `detail` kind was named say `project`: read them as before."""
    if capture.kind is None or capture.kind == page_kind(capture.kind):
        return capture
    return dataclasses.replace(capture, kind=page_kind(capture.kind))


def _entry(capture: Capture) -> dict[str, object]:
    return dict(vars(capture))  # flat fields: no need for asdict's deep copy


def import_jsonl(store: RawStore, path: Path | str) -> list[Capture]:
    """Store each `{"url", "kind", "complete", "text"}` line of a corpus file as a text capture.

    The text is stored as its UTF-8 bytes, exactly as the corpus holds it.
    """
    path = Path(path)
    imported = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                url, text, kind = entry["url"], entry["text"], _entry_kind(entry.get("kind"))
            except (ValueError, KeyError, TypeError) as exc:
                raise RawStoreError(f"{path}:{number}: not a capture line: {exc}") from exc
            imported.append(store.put(
                text.encode("utf-8"), url=url, content_type="text/plain", kind=kind,
                complete=bool(entry.get("complete", True)), fetched_at=entry.get("fetched_at"),
                charset="utf-8", source=f"{path.name}:{number}",
            ))
    return imported


def _entry_kind(kind: str | None) -> str | None:
    return page_kind(kind) if kind is not None else None
