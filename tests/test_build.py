from pathlib import Path

from pipeline.build import build_tables, read_captures, run_build
from pipeline.publish import compare_outputs
from pipeline.rawstore import RawStore

ROOT = Path(__file__).resolve().parents[1]


def test_committed_processed_is_what_build_makes_from_raw(tmp_path):
    run_build(ROOT / "raw", tmp_path / "processed")
    assert compare_outputs(ROOT / "processed", tmp_path / "processed") == [], \
        "processed/ is stale: run `python -m pipeline build` and commit it"


def test_build_is_deterministic():
    captures = read_captures(RawStore(ROOT / "raw"))
    assert build_tables(captures).tables == build_tables(list(captures)).tables


def test_a_capture_that_is_no_page_becomes_a_reject(tmp_path):
    store = RawStore(tmp_path)
    store.put(b"   \n", url="http://csr-nw.ru/en/projects/2015/empty/", content_type="text/plain", kind="detail")
    store.put("Title\n- Stage:\n- Completed project\n".encode(), url="http://csr-nw.ru/en/area_of_activity/x/",
              content_type="text/plain", kind="listing")
    output = build_tables(read_captures(store))
    assert output.summary() == {"pages": 2, "projects": 1, "rejects": 1, "warnings": 0}
    [reject] = output.rejects
    assert (reject["step"], reject["reason"], reject["page_url"]) == (
        "load", "the page is empty", "http://csr-nw.ru/en/projects/2015/empty/")
