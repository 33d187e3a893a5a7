import json
import stat
from pathlib import Path

import pytest

from pipeline.rawstore import RawStore, RawStoreError, import_jsonl, sha256_hex

URL = "http://csr-nw.ru/en/projects/2015/example/"
BODY = b"A project\n"


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
        "detail", False, "text/plain", "corpus.jsonl:1")


def test_import_jsonl_names_the_bad_line(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"url": URL, "text": "x"}) + "\n" + json.dumps({"text": "no url"}) + "\n")
    with pytest.raises(RawStoreError, match=r"corpus.jsonl:2: not a capture line"):
        import_jsonl(RawStore(tmp_path / "raw"), corpus)


def test_the_committed_snapshot_is_intact():
    store = RawStore(Path(__file__).resolve().parents[1] / "raw")
    captures = store.captures()
    assert [c.kind for c in captures].count("listing") == 1
    assert [c.kind for c in captures].count("detail") == 6  # the committed manifest says "project", the old name
    assert [c.complete for c in captures].count(False) == 1
    for capture in captures:
        store.read(capture)


def test_captures_and_manifest_are_readable_by_everyone(tmp_path):
    capture = RawStore(tmp_path).put(BODY, url=URL, content_type="text/plain")
    for path in (tmp_path / capture.path, tmp_path / "manifest.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
