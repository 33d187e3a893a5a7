import json
import os
import subprocess
import sys
from pathlib import Path


from pipeline.build import build_tables, read_captures, run_build
from pipeline.publish import compare_outputs
from pipeline.rawstore import RawStore

ROOT = Path(__file__).resolve().parents[1]

BUILD_IN_ORDER = """
import json, random, sys
from pipeline.build import build_tables, read_captures
from pipeline.rawstore import RawStore
captures = read_captures(RawStore(sys.argv[1]))
order = sys.argv[2]
if order == "reversed":
    captures.reverse()
elif order.startswith("shuffled"):
    random.Random(order).shuffle(captures)
print(json.dumps(build_tables(captures).tables, default=str, ensure_ascii=False))
"""


def build_in_a_fresh_process(order: str, hash_seed: str) -> dict:
    """The tables `build_tables` makes from the committed raw/ in a new interpreter, captures in `order`."""
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-c", BUILD_IN_ORDER, str(ROOT / "raw"), order], cwd=ROOT,
                            env=environment, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_committed_processed_is_what_build_makes_from_raw(tmp_path):
    run_build(ROOT / "raw", tmp_path / "processed")
    assert compare_outputs(ROOT / "processed", tmp_path / "processed") == [], \
        "processed/ is stale: run `python -m pipeline build` and commit it"


def test_the_same_captures_give_the_same_tables_in_any_process_and_any_order():
    runs = [build_in_a_fresh_process(order, seed)
            for order, seed in [("manifest", "1"), ("reversed", "2"), ("shuffled-a", "3"), ("shuffled-b", "4")]]
    assert runs[0]["projects"], "the snapshot builds to no rows: nothing was compared"
    assert all(run == runs[0] for run in runs[1:])


def test_two_builds_in_separate_processes_publish_the_same_rows(tmp_path):
    for name in ("one", "two"):
        subprocess.run([sys.executable, "-m", "pipeline", "build", "--out", str(tmp_path / name)], cwd=ROOT,
                       env={**os.environ, "PYTHONHASHSEED": str(len(name) * 7)}, capture_output=True, check=True)
    assert compare_outputs(tmp_path / "one", tmp_path / "two") == []


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
