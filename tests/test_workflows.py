"""The shipped workflows run only commands and options that exist, and follow the exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SCRIPTS = [*WORKFLOWS, ROOT / ".ci" / "run"]


def shell_lines(path: Path) -> list[str]:
    """Every shell line a workflow's steps (or a script) run, continuation lines joined."""
    if path.suffix == ".yml":
        jobs = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]
        text = "\n".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    else:
        text = path.read_text(encoding="utf-8")
    return text.replace("\\\n", " ").splitlines()


def pipeline_calls(path: Path) -> list[tuple[str, list[str]]]:
    """(command, options) of every `-m pipeline COMMAND …` call."""
    calls = []
    for line in shell_lines(path):
        for match in re.finditer(r"-m pipeline (\w+)([^;|&\n]*)", line):
            calls.append((match.group(1), re.findall(r"(?<!\S)(--[a-z][a-z-]*)", match.group(2))))
    return calls


def help_text(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    return capsys.readouterr().out


def test_there_is_a_ci_and_a_scheduled_refresh_workflow():
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "refresh.yml"} <= names
    refresh = yaml.safe_load((ROOT / ".github" / "workflows" / "refresh.yml").read_text(encoding="utf-8"))
    triggers = refresh[True] if True in refresh else refresh["on"]  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"]
    assert refresh["permissions"]["contents"] == "write"
    assert any("bash .ci/run" in line for line in shell_lines(ROOT / ".github" / "workflows" / "ci.yml"))


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_every_pipeline_command_and_option_a_workflow_runs_exists(path, capsys):
    calls = pipeline_calls(path)
    assert calls or path.name == "ci.yml", f"{path.name} runs no pipeline command"
    for command, options in calls:
        text = help_text(command, capsys)  # an unknown command exits 2 with no help on stdout
        assert text.startswith("usage:"), f"{path.name}: `{command}` is not a command"
        for option in options:
            assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text), (
                f"{path.name}: `{command}` has no option {option}"
            )


def test_the_refresh_workflow_commits_by_exit_code():
    script = "\n".join(shell_lines(ROOT / ".github" / "workflows" / "refresh.yml"))
    assert re.search(r"0\|3\) git add raw processed", script)  # raw/ and processed/ always build into each other
    assert re.search(r"4\) git add processed/runs.parquet", script)  # a refusal keeps only its log row
    assert 'exit "$code"' in script and 'if [ "$code" = 4 ]; then exit 4; fi' in script
