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
    result = subprocess.run(
        [sys.executable, "-c", BUILD_IN_ORDER, str(ROOT / "raw"), order],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_committed_processed_is_what_build_makes_from_raw(tmp_path):
    run_build(ROOT / "raw", tmp_path / "processed")
    assert compare_outputs(ROOT / "processed", tmp_path / "processed") == [], (
        "processed/ is stale: run `python -m pipeline build` and commit it"
    )


def test_the_same_captures_give_the_same_tables_in_any_process_and_any_order():
    runs = [
        build_in_a_fresh_process(order, seed)
        for order, seed in [("manifest", "1"), ("reversed", "2"), ("shuffled-a", "3"), ("shuffled-b", "4")]
    ]
    assert runs[0]["projects"], "the snapshot builds to no rows: nothing was compared"
    assert all(run == runs[0] for run in runs[1:])


def test_two_builds_in_separate_processes_publish_the_same_rows(tmp_path):
    for name in ("one", "two"):
        subprocess.run(
            [sys.executable, "-m", "pipeline", "build", "--out", str(tmp_path / name)],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(len(name) * 7)},
            capture_output=True,
            check=True,
        )
    assert compare_outputs(tmp_path / "one", tmp_path / "two") == []


def test_a_capture_that_is_no_page_becomes_a_reject(tmp_path):
    store = RawStore(tmp_path)
    store.put(b"   \n", url="http://csr-nw.ru/en/projects/2015/empty/", content_type="text/plain", kind="detail")
    store.put(
        b"Title\n- Stage:\n- Completed project\n",
        url="http://csr-nw.ru/en/area_of_activity/x/",
        content_type="text/plain",
        kind="listing",
    )
    output = build_tables(read_captures(store))
    assert output.summary() == {
        "pages": 2,
        "projects": 1,
        "rejects": 1,
        "warnings": 1,
        "places": 0,
        "unresolved_places": 0,
    }
    assert [warning["code"] for warning in output.warnings] == ["incomplete"]  # the listing entry has no Date
    [reject] = output.rejects
    assert (reject["step"], reject["reason"], reject["page_url"]) == (
        "load",
        "the page is empty",
        "http://csr-nw.ru/en/projects/2015/empty/",
    )


def test_a_page_nested_100_000_deep_is_read_and_spoils_no_other_page(tmp_path):
    depth = 100_000  # the recursive HTML walk this replaced failed from 500, failing the whole build
    page = (
        "<h1>Deep project</h1><div>Spatial Development</div><div>Completed project</div><div>2015</div>"
        "<p>About the project.</p>"
    )
    deep = "<!DOCTYPE html><html><body>" + "<div>" * depth + page + "</div>" * depth + "</body></html>"
    store = RawStore(tmp_path)
    store.put(
        deep.encode(), url="http://csr-nw.ru/en/projects/2015/deep-project/", content_type="text/html", kind="detail"
    )
    store.put(
        b"Title\n- Stage:\n- Completed project\n",
        url="http://csr-nw.ru/en/area_of_activity/x/",
        content_type="text/plain",
        kind="listing",
    )
    output = build_tables(read_captures(store))
    assert output.summary() == {
        "pages": 2,
        "projects": 2,
        "rejects": 0,
        "warnings": 1,
        "places": 0,
        "unresolved_places": 0,
    }
    assert [(w["code"], w["project_id"]) for w in output.warnings] == [("incomplete", "title/title")]
    rows = {row["project_id"]: row for row in output.projects}
    assert (rows["title/title"]["title"], rows["title/title"]["stage"]) == ("Title", "Completed project")
    deep_row = rows["2015/deep-project"]
    assert [deep_row[name] for name in ("title", "direction", "stage", "date_text", "description")] == [
        "Deep project",
        "Spatial Development",
        "Completed project",
        "2015",
        "About the project.",
    ]
