import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.rawstore import Capture, RawStore, RawStoreError, import_jsonl, sha256_hex

ROOT = Path(__file__).resolve().parents[1]
URL = "http://csr-nw.ru/en/projects/2015/example/"
BODY = b"A project\n"
DELETE = object()
"""In a table of changes to an entry: remove the key."""


def stored(raw: Path) -> dict:
    """A raw/ holding one good capture (URL → BODY); returns its manifest entry, to be spoiled by a test."""
    RawStore(raw).put(BODY, url=URL, content_type="text/plain", kind="detail")
    [entry] = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))["captures"]
    return entry


def write_manifest(raw: Path, *entries: dict) -> None:
    document = {"format": 1, "captures": list(entries)}
    (raw / "manifest.json").write_text(json.dumps(document), encoding="utf-8")


def spoiled(entry: dict, changes: dict) -> dict:
    entry = {**entry, **changes}
    return {key: value for key, value in entry.items() if value is not DELETE}


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter, killed (and the test failed) if it blocks for 20 seconds."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=20)


def test_put_stores_bytes_exactly_and_records_them(tmp_path):
    store = RawStore(tmp_path)
    body = "Заголовок\r\n\u00a0 tail without newline".encode("utf-8")
    capture = store.put(body, url=URL, content_type="text/plain", kind="detail", charset="utf-8")
    assert (tmp_path / capture.path).read_bytes() == body
    assert capture.sha256 == sha256_hex(body) and capture.size == len(body)
    reopened = RawStore(tmp_path)
    assert reopened.get(URL) == capture
    assert reopened.read(capture) == body


def test_identical_content_is_stored_once(tmp_path):
    store = RawStore(tmp_path)
    first = store.put(b"same", url=URL, content_type="text/plain")
    second = store.put(b"same", url=URL + "copy/", content_type="text/plain")
    assert first.path == second.path
    assert len(list((tmp_path / "captures").iterdir())) == 1
    assert [c.url for c in RawStore(tmp_path).captures()] == sorted([URL, URL + "copy/"])


def test_manifest_is_sorted_json_and_leaves_no_temporary_files(tmp_path):
    store = RawStore(tmp_path)
    for name in ("b", "a", "c"):
        store.put(name.encode(), url=f"http://x/{name}", content_type="text/html")
    document = json.loads((tmp_path / "manifest.json").read_text())
    assert [entry["url"] for entry in document["captures"]] == ["http://x/a", "http://x/b", "http://x/c"]
    assert document["captures"][0]["path"].endswith(".html")
    assert not list(tmp_path.rglob("*.tmp"))


def test_touch_updates_metadata_without_new_bytes(tmp_path):
    store = RawStore(tmp_path)
    capture = store.put(b"x", url=URL, content_type="text/plain")
    touched = store.touch(URL, checked_at="2026-01-01T00:00:00+00:00")
    assert touched.sha256 == capture.sha256
    assert RawStore(tmp_path).get(URL).checked_at == "2026-01-01T00:00:00+00:00"


def test_a_tampered_capture_is_refused(tmp_path):
    store = RawStore(tmp_path)
    capture = store.put(b"original", url=URL, content_type="text/plain")
    (tmp_path / capture.path).write_bytes(b"tampered")
    with pytest.raises(RawStoreError, match="does not match its sha256"):
        store.read(capture)


def test_a_broken_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(RawStoreError, match=r"manifest\.json: not a valid manifest"):
        RawStore(tmp_path).captures()


def test_import_jsonl_keeps_text_byte_for_byte(tmp_path):
    text = "Title\n\n«quoted» “text”\u00a0\n"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"url": URL, "kind": "project", "complete": False, "text": text}) + "\n\n")
    store = RawStore(tmp_path / "raw")
    [capture] = import_jsonl(store, corpus)
    assert store.read(capture) == text.encode("utf-8")
    assert (capture.kind, capture.complete, capture.content_type, capture.source) == (
        "detail",
        False,
        "text/plain",
        "corpus.jsonl:1",
    )


def test_the_committed_snapshot_is_intact():
    store = RawStore(Path(__file__).resolve().parents[1] / "raw")
    captures = store.captures()
    assert [c.kind for c in captures].count("listing") == 1
    assert [c.kind for c in captures].count("detail") == 6  # the committed manifest says "project", the old name
    assert [c.complete for c in captures].count(False) == 1
    for capture in captures:
        store.read(capture)


# -- the manifest is checked entry by entry before anything is read ------------------------------------------


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"path": "../../etc/passwd"}, "\"path\" '../../etc/passwd' leads outside captures/"),
        ({"path": "captures/../manifest.json"}, "leads outside captures/"),
        ({"path": "captures"}, "leads outside captures/"),
        ({"path": "/dev/zero"}, '"path" must be relative'),
        ({"path": None}, '"path" must be a string, not None'),
        ({"path": "captures/a\x00.txt"}, '"path" must not contain a NUL byte'),
        ({"url": 5}, '"url" must be an absolute http(s) URL, not 5'),
        ({"url": "ftp://csr-nw.ru/x"}, "\"url\" must be an absolute http(s) URL, not 'ftp://csr-nw.ru/x'"),
        ({"url": "/en/projects/2015/example/"}, '"url" must be an absolute http(s) URL'),
        ({"url": "http://csr-nw.ru/a\nb"}, '"url" must be an absolute http(s) URL'),
        ({"size": True}, '"size" must be a non-negative integer, not True'),
        ({"size": -1}, '"size" must be a non-negative integer, not -1'),
        ({"size": "10"}, "\"size\" must be a non-negative integer, not '10'"),
        ({"sha256": sha256_hex(BODY).upper()}, '"sha256" must be 64 lowercase hex digits'),
        ({"content_type": None}, '"content_type" must be a string, not None'),
        ({"kind": "news"}, "\"kind\" must be null or a page kind (listing, detail, other), not 'news'"),
        ({"complete": "no"}, "\"complete\" must be true or false, not 'no'"),
        ({"status": "200"}, '"status" must be an integer or null'),
        ({"etag": 5}, '"etag" must be a string or null, not 5'),
        ({"charset": "\ud800"}, "\"charset\" must be valid Unicode, not '\\ud800' with a lone surrogate"),
        ({"surprise": 1}, "unknown key 'surprise'"),
        ({"sha256": DELETE}, "missing 'sha256'"),
    ],
)
def test_a_bad_manifest_entry_is_refused_at_load_naming_it(tmp_path, changes, reason):
    write_manifest(tmp_path, spoiled(stored(tmp_path), changes))
    with pytest.raises(RawStoreError) as raised:
        RawStore(tmp_path).captures()
    url = f" ({changes.get('url', URL)!r})" if isinstance(changes.get("url", URL), str) else ""
    assert str(raised.value).startswith(f"{tmp_path / 'manifest.json'}: captures[0]{url}: ")
    assert reason in str(raised.value)


@pytest.mark.parametrize("path", ["/etc/passwd", "../" * 40 + "etc/passwd"])
def test_a_path_out_of_raw_is_refused_before_reading_even_with_the_right_digest(tmp_path, path):
    secret = Path("/etc/passwd").read_bytes()
    entry = {**stored(tmp_path), "path": path, "sha256": sha256_hex(secret), "size": len(secret)}
    write_manifest(tmp_path, entry)
    with pytest.raises(RawStoreError, match=r"captures\[0\].*\"path\""):
        RawStore(tmp_path).captures()
    with pytest.raises(RawStoreError, match=r"capture of .*\"path\""):  # a Capture made by hand, too
        RawStore(tmp_path / "empty").read(Capture(**entry))


def test_a_symlink_out_of_captures_is_refused(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside.txt"
    outside.write_bytes(BODY)
    entry = stored(raw)
    (raw / "captures" / "link.txt").symlink_to(outside)
    write_manifest(raw, {**entry, "path": "captures/link.txt"})
    with pytest.raises(RawStoreError, match=r"captures\[0\] .*'captures/link.txt' leads outside captures/"):
        RawStore(raw).captures()


READ_EVERY_CAPTURE = """
import sys
from pipeline.rawstore import RawStore, RawStoreError
store = RawStore(sys.argv[1])
try:
    for capture in store.captures():
        store.read(capture)
except RawStoreError as exc:
    print(exc)
"""


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["fifo", "directory"])
def test_a_capture_that_is_no_regular_file_is_refused_without_blocking(tmp_path, make):
    entry = stored(tmp_path)
    make(tmp_path / "captures" / "odd.txt")
    write_manifest(tmp_path, {**entry, "path": "captures/odd.txt", "sha256": sha256_hex(b""), "size": 0})
    result = run_python(READ_EVERY_CAPTURE, str(tmp_path))
    assert result.stdout.strip() == f"{tmp_path / 'captures/odd.txt'}: capture of {URL}: not a regular file"


def test_a_size_other_than_the_manifests_is_refused_before_reading(tmp_path):
    entry = stored(tmp_path)
    write_manifest(tmp_path, {**entry, "size": len(BODY) - 1})
    store = RawStore(tmp_path)
    with pytest.raises(RawStoreError) as raised:
        store.read(store.get(URL))
    assert str(raised.value).endswith(f"capture of {URL}: {len(BODY)} bytes where the manifest says {len(BODY) - 1}")


@pytest.mark.parametrize(
    "document, reason",
    [
        (b"{not json", "not a valid manifest: Expecting property name"),
        (b'{"format": 1, "captures": [{"url": "\xff"}]}', "not a valid manifest: 'utf-8' codec can't decode"),
        (b"[]", "not a valid manifest: the document must be an object, not list"),
        (b'{"format": 1}', 'not a valid manifest: "captures" must be a list, not None'),
        (b'{"format": 1, "captures": {}}', 'not a valid manifest: "captures" must be a list, not {}'),
        (b'{"format": 2, "captures": []}', 'not a valid manifest: "format" must be 1, not 2'),
        (b'{"format": 1, "captures": [5]}', "captures[0]: an entry must be an object, not 5"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_a_clear_error(tmp_path, document, reason):
    (tmp_path / "manifest.json").write_bytes(document)
    with pytest.raises(RawStoreError) as raised:
        RawStore(tmp_path).captures()
    assert str(raised.value).startswith(f"{tmp_path / 'manifest.json'}: {reason}")


def test_two_entries_for_one_url_are_refused(tmp_path):
    entry = stored(tmp_path)
    write_manifest(tmp_path, entry, entry)
    with pytest.raises(RawStoreError, match=r"captures\[1\] .*: a second entry for the same url"):
        RawStore(tmp_path).captures()


def test_a_bad_manifest_entry_is_one_error_line_and_exit_2(tmp_path, capsys):
    write_manifest(tmp_path, spoiled(stored(tmp_path), {"path": "../../etc/passwd"}))
    assert main(["build", "--raw", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    manifest = tmp_path / "manifest.json"
    assert captured.err.splitlines() == [
        f"error: {manifest}: captures[0] ({URL!r}): \"path\" '../../etc/passwd' leads outside captures/"
    ]
    assert not (tmp_path / "out").exists()


def test_captures_and_manifest_are_readable_by_everyone(tmp_path):
    capture = RawStore(tmp_path).put(BODY, url=URL, content_type="text/plain")
    for path in (tmp_path / capture.path, tmp_path / "manifest.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


# -- an import checks every line, then stores all of them or none ---------------------------------------------

GOOD_LINE = json.dumps({"url": URL + "good/", "kind": "detail", "text": "Good\n"}).encode()


@pytest.mark.parametrize(
    "line, reason",
    [
        (b'{"url": "http://csr-nw.ru/x", "text": "\xff"}', "not UTF-8 (invalid start byte at byte 39)"),
        (b'{"url": "http://csr-nw.ru/x", "text": null}', '"text" must be a string, not None'),
        (
            b'{"url": "http://csr-nw.ru/x", "text": "\\ud800"}',
            "\"text\" must be valid Unicode, not '\\ud800' with a lone surrogate",
        ),
        (b'{"url": "http://csr-nw.ru/x"}', "missing 'text'"),
        (b'{"text": "no url"}', "missing 'url'"),
        (b'{"url": 5, "text": "x"}', '"url" must be an absolute http(s) URL, not 5'),
        (b'{"url": "ftp://x", "text": "x"}', "\"url\" must be an absolute http(s) URL, not 'ftp://x'"),
        (
            b'{"url": "http://csr-nw.ru/x", "text": "x", "complete": "no"}',
            "\"complete\" must be true or false, not 'no'",
        ),
        (
            b'{"url": "http://csr-nw.ru/x", "text": "x", "kind": "news"}',
            "\"kind\" must be null or a page kind (listing, detail, other), not 'news'",
        ),
        (
            b'{"url": "http://csr-nw.ru/x", "text": "x", "fetched_at": 5}',
            '"fetched_at" must be a string or null, not 5',
        ),
        (b'["http://csr-nw.ru/x", "x"]', "not a JSON object: ['http://csr-nw.ru/x', 'x']"),
        (b'{"url": ', "not JSON: Expecting value: line 1 column 9 (char 8)"),
    ],
)
def test_a_bad_line_imports_nothing_and_is_named(tmp_path, line, reason):
    raw, corpus = tmp_path / "raw", tmp_path / "corpus.jsonl"
    stored(raw)
    manifest, files = (raw / "manifest.json").read_bytes(), sorted((raw / "captures").iterdir())
    corpus.write_bytes(GOOD_LINE + b"\n" + line + b"\n")
    with pytest.raises(RawStoreError) as raised:
        import_jsonl(RawStore(raw), corpus)
    assert str(raised.value).splitlines()[1:] == [f"{corpus}:2: {reason}"]
    assert (raw / "manifest.json").read_bytes() == manifest
    assert sorted((raw / "captures").iterdir()) == files


def test_every_bad_line_is_reported(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"\n".join([GOOD_LINE, b'{"url": 5, "text": "x"}', b"", GOOD_LINE, b"\xff", GOOD_LINE]))
    assert main(["import", str(corpus), "--raw", str(tmp_path / "raw")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {corpus}: nothing imported, 2 bad line(s):",
        f'{corpus}:2: "url" must be an absolute http(s) URL, not 5',
        f"{corpus}:5: not UTF-8 (invalid start byte at byte 0)",
    ]
    assert not (tmp_path / "raw").exists()


def test_a_good_corpus_is_imported_whole(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    lines = [{"url": f"{URL}{n}/", "text": f"T{n}", "kind": None, "fetched_at": "2015-01-01"} for n in range(3)]
    corpus.write_bytes(b"\r\n".join(json.dumps(line).encode() for line in lines) + b"\r\n\r\n")
    captures = import_jsonl(RawStore(tmp_path / "raw"), corpus)
    assert [(c.url, c.source, c.complete) for c in RawStore(tmp_path / "raw").captures()] == [
        (f"{URL}{n}/", f"corpus.jsonl:{n + 1}", True) for n in range(3)
    ]
    assert [RawStore(tmp_path / "raw").read(c) for c in captures] == [b"T0", b"T1", b"T2"]


def test_a_corpus_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "corpus.jsonl")
    result = run_python(
        "import sys\nfrom pipeline.rawstore import RawStore, RawStoreError, import_jsonl\n"
        "try:\n    import_jsonl(RawStore(sys.argv[1] + '/raw'), sys.argv[1] + '/corpus.jsonl')\n"
        "except RawStoreError as exc:\n    print(exc)\n",
        str(tmp_path),
    )
    assert result.stdout.strip() == f"{tmp_path}/corpus.jsonl: not a regular file"
