import importlib
import importlib.metadata
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import pipeline
from pipeline import cli
from pipeline.cli import main
from pipeline.fetch import FetchReport

ROOT = Path(__file__).resolve().parents[1]
LISTING_URL = "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
LISTING = ROOT / "raw" / "captures" / "24254178018127d3bb98f713f8e8e481f27183a734edc261786267a74be9cb0f.txt"


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], check=False, capture_output=True, text=True, cwd=ROOT
    )


def test_build_prints_a_summary_and_writes_valid_output(tmp_path, capsys):
    assert main(["build", "--raw", str(ROOT / "raw"), "--out", str(tmp_path / "out")]) == 0
    summary, outcome = capsys.readouterr().out.splitlines()
    assert summary.endswith("7 pages read, 20 projects, 0 rejects, 4 warnings, 21 places (1 unresolved)")
    assert outcome.endswith(f"published to {tmp_path / 'out'}: 20 changes")
    assert main(["validate", str(tmp_path / "out")]) == 0


def test_parse_prints_json_lines_with_the_url_applied(capsys):
    assert main(["parse", str(LISTING), "--url", LISTING_URL]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert len(rows) == 17
    assert {row["listing_url"] for row in rows} == {LISTING_URL}
    assert rows[0]["date_text"] == "2011 – until present" and rows[0]["start_date"] == "2011-01-01"
    assert "stage 'Current project' but the date 'December 2013–March 2014'" in captured.err


def test_parse_reports_rejects_and_exits_1(tmp_path, capsys):
    page = tmp_path / "listing.txt"
    page.write_text("2015\nA project\n- Stage:\n- Completed project\n- Date:\n- Spring 20l5\n", encoding="utf-8")
    assert main(["parse", str(page)]) == 1
    assert f"reject: {page}:2: date: " in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, args, message",
    [
        (None, [], "no such file"),
        (" \n\n", [], "the page is empty"),
        ("Just some news about the weather.\n\nNothing else.", [], "cannot tell the page kind"),
        ("x", ["--kind", "news"], "invalid choice"),
    ],
)
def test_bad_input_gives_one_error_line_and_no_traceback(tmp_path, content, args, message):
    page = tmp_path / "page.txt"
    if content is not None:
        page.write_text(content, encoding="utf-8")
    result = run("parse", str(page), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_build_from_a_missing_raw_folder_is_a_clear_error(tmp_path):
    result = run("build", "--raw", str(tmp_path / "none"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "no captures" in result.stderr
    assert not (tmp_path / "out").exists()


def test_validate_exits_1_and_lists_problems(tmp_path):
    result = run("validate", str(tmp_path))
    assert result.returncode == 1
    assert "projects: dataset missing" in result.stdout


def write_corpus(path, *texts):
    """A corpus file of listing captures, one per text (each at its own URL)."""
    lines = [
        json.dumps({"url": f"{LISTING_URL}?page={number}", "kind": "listing", "complete": True, "text": text})
        for number, text in enumerate(texts, 1)
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "texts, message",
    [
        (["T"], "imported 1 capture into "),
        (["T", "U"], "imported 2 captures into "),
    ],
)
def test_import_adds_captures_and_counts_them_in_words_that_agree(tmp_path, capsys, texts, message):
    corpus = write_corpus(tmp_path / "c.jsonl", *texts)
    assert main(["import", str(corpus), "--raw", str(tmp_path / "raw")]) == 0
    assert capsys.readouterr().out.startswith(message)
    assert (tmp_path / "raw" / "manifest.json").exists()


@pytest.mark.parametrize("command", ["build", "parse", "validate", "import"])
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "usage: python -m pipeline " + command in result.stdout


# -- command-line manners ---------------------------------------------------------------------------------------

COMMANDS = {  # name → the exit codes its help must list
    "build": ["0", "2", "4", "5", "130"],
    "parse": ["0", "1", "2", "130"],
    "validate": ["0", "1", "2", "130"],
    "fetch": ["0", "2", "3", "5", "130"],
    "refresh": ["0", "2", "3", "4", "5", "130"],
    "runs": ["0", "2"],
    "changes": ["0", "2"],
    "import": ["0", "2", "5", "130"],
}


def cli_help(monkeypatch, capsys, *args, argv0="/venv/lib/pipeline/__main__.py"):
    """The help text `main()` prints for args, as the user typed argv0."""
    monkeypatch.setattr(sys, "argv", [argv0, *args])
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def exit_codes_listed(help_text):
    section = help_text.split("\nexit codes:\n", 1)[1]
    return re.findall(r"^  (\d+) ", section, re.MULTILINE)


def test_no_arguments_prints_the_help_and_exits_2():
    result = run()
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m pipeline ")
    assert all(f"    {name} " in result.stderr for name in COMMANDS), result.stderr
    assert "Traceback" not in result.stderr


def test_version_prints_the_project_version(capsys):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"csr-nw-pipeline {version}\n"


def test_version_falls_back_to_pyproject_when_not_installed(monkeypatch):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    importlib.reload(pipeline)
    monkeypatch.undo()
    version = pipeline.__version__
    importlib.reload(pipeline)
    assert version == tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_top_level_help_speaks_to_users(monkeypatch, capsys):
    text = cli_help(monkeypatch, capsys)
    description = text.split("\n\n")[1]
    assert "Parquet" in description and "catalogue" in description
    assert "thin shell" not in text
    assert exit_codes_listed(text) == ["0", "1", "2", "3", "4", "5", "130"]


@pytest.mark.parametrize("command, codes", COMMANDS.items())
def test_every_command_has_a_summary_an_example_and_its_exit_codes(monkeypatch, capsys, command, codes):
    text = cli_help(monkeypatch, capsys, command)
    summary = text.split("\n\n")[1]
    assert summary and "\n" not in summary
    assert f"example:\n  python -m pipeline {command} " in text
    assert exit_codes_listed(text) == codes


@pytest.mark.parametrize(
    "argv0, usage",
    [
        ("/srv/app/.venv/bin/csr-nw-pipeline", "usage: csr-nw-pipeline validate "),
        ("/srv/app/.venv/lib/python3.11/site-packages/pipeline/__main__.py", "usage: python -m pipeline validate "),
    ],
)
def test_usage_names_the_program_as_it_was_run(monkeypatch, capsys, argv0, usage):
    text = cli_help(monkeypatch, capsys, "validate", argv0=argv0)
    assert text.startswith(usage)
    assert "example:\n  " + usage.removeprefix("usage: ") in text


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: None, "no such directory"),
        (lambda path: path.write_text("x"), "not a directory"),
    ],
)
def test_validate_on_a_folder_that_is_not_there_is_bad_input(tmp_path, capsys, make, message):
    folder = tmp_path / "processed"
    make(folder)
    assert main(["validate", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {folder}: {message}"]
    assert captured.out == ""


@pytest.mark.parametrize("command", ["parse", "import"])
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: path.mkdir(), "is a directory, not a file"),
        (lambda path: None, "no such file"),
    ],
)
def test_a_file_argument_names_what_is_wrong_with_it(tmp_path, capsys, command, make, message):
    path = tmp_path / "page"
    make(path)
    assert main([command, str(path), *(["--raw", str(tmp_path / "raw")] if command == "import" else [])]) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {path}: {message}"]


ONE_OF_EACH = (
    "2015\nProject A in Sarov\n- Stage:\n- Completed project\n- Date:\n- 2015\n- Colour:\n- Blue\n"
    "Project B\n- Date:\n- Spring 20l5\n"
)


@pytest.mark.parametrize(
    "dropped, message",
    [
        (["rejects"], "1 problem in "),
        (["rejects", "warnings"], "2 problems in "),
    ],
)
def test_validate_counts_problems_in_words_that_agree(tmp_path, capsys, dropped, message):
    out = tmp_path / "out"
    shutil.copytree(ROOT / "processed", out)
    for dataset in dropped:
        shutil.rmtree(out / dataset)
    assert main(["validate", str(out)]) == 1
    assert capsys.readouterr().err.startswith(message)


def test_build_counts_in_words_that_agree(tmp_path, capsys):
    corpus = write_corpus(tmp_path / "c.jsonl", ONE_OF_EACH)
    assert main(["import", str(corpus), "--raw", str(tmp_path / "raw")]) == 0
    assert main(["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]) == 0
    summary, outcome = capsys.readouterr().out.splitlines()[-2:]
    assert summary.endswith(": 1 page read, 1 project, 1 reject, 1 warning, 1 place (0 unresolved)")
    assert outcome.endswith(": 1 change")


OPERATOR_UA = "my-crawler/1.0 (+https://example.org/contact)"


class FakeCrawler:
    """Stands in for the crawler: the CLI's own wording and warnings are under test, not the crawl."""

    report = FetchReport()

    def __init__(self, store, settings, progress=None):
        self.settings = settings

    def crawl(self):
        return self.report


@pytest.fixture
def fake_crawl(monkeypatch, tmp_path):
    """fetch and refresh without a network: a crawl that returns FakeCrawler.report; refresh builds the repo's raw/."""
    monkeypatch.setattr(pipeline.fetch, "Crawler", FakeCrawler)  # the fetch handler imports it when it runs
    monkeypatch.setattr(FakeCrawler, "report", FetchReport())
    monkeypatch.setattr(signal, "signal", lambda signum, handler: None)
    return lambda command, *options: main(
        [
            command,
            "--start-url",
            LISTING_URL,
            "--raw",
            str(ROOT / "raw"),
            *options,
            *(["--out", str(tmp_path / "out")] if command == "refresh" else []),
        ]
    )


@pytest.mark.parametrize(
    "report, summary",
    [
        (
            FetchReport(fetched=["a"], bytes=1),
            "fetched 1 page (0 unchanged), 0 not modified, 0 skipped, 0 failed, 1 byte in ",
        ),
        (
            FetchReport(fetched=["a"], unchanged=["b"], bytes=2),
            "fetched 2 pages (1 unchanged), 0 not modified, 0 skipped, 0 failed, 2 bytes in ",
        ),
    ],
)
def test_fetch_summary_counts_in_words_that_agree(fake_crawl, monkeypatch, capsys, report, summary):
    monkeypatch.setattr(FakeCrawler, "report", report)
    assert fake_crawl("fetch", "--user-agent", OPERATOR_UA) == 0
    assert capsys.readouterr().out.startswith(summary)


@pytest.mark.parametrize("command", ["fetch", "refresh"])
@pytest.mark.parametrize(
    "options, warnings",
    [
        ([], 1),
        (["--user-agent", OPERATOR_UA], 0),
    ],
)
def test_a_placeholder_contact_in_the_user_agent_is_warned_about_once(fake_crawl, capsys, command, options, warnings):
    assert fake_crawl(command, *options) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "User-Agent" in line]
    assert len(lines) == warnings
    assert all(line.startswith("warning: ") and "--user-agent" in line for line in lines)


def test_no_placeholder_warning_once_the_default_user_agent_names_a_real_contact(fake_crawl, monkeypatch, capsys):
    monkeypatch.setattr(cli, "USER_AGENT", OPERATOR_UA)
    assert fake_crawl("fetch") == 0
    assert "User-Agent" not in capsys.readouterr().err


def test_the_default_folders_are_in_the_current_folder_not_beside_the_package(tmp_path):
    """An installed console script run from a project folder builds that folder's raw/ into its processed/."""
    shutil.copytree(ROOT / "raw", tmp_path / "raw", ignore=shutil.ignore_patterns(".lock"))
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "processed" / "projects" / "part-0.parquet").is_file()
    assert main(["validate", str(tmp_path / "processed")]) == 0
