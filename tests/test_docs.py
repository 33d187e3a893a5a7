"""The docs are tested: the README must stay true to the CLI, the schema and the data."""
import argparse
import os
import re
from pathlib import Path

import pytest

from pipeline.cli import build_parser
from pipeline.schema import data_dictionary

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_readme_documents_every_command_and_option(name):
    assert f"python -m pipeline {name}" in README
    for action in subcommands()[name]._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert option in README, f"{option} of `{name}` is not in the README"
        if not action.option_strings and action.metavar:
            assert action.metavar in README, f"{action.metavar} of `{name}` is not in the README"


def test_quick_start_is_one_block_of_two_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[^\n]*\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    build_line, test_line = blocks[0].strip().splitlines()
    assert build_line.endswith("-m pipeline build") and "pip install" in build_line
    assert test_line.endswith("-m pytest") and "pip install" in test_line


def test_data_dictionary_is_current():
    committed = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "stale: run `python -m pipeline.schema > docs/data-dictionary.md`"


@pytest.mark.parametrize("snippet", re.findall(r"```python\n(.*?)```", README.split("## Loading the data", 1)[1].split("\n## ", 1)[0], re.S))
def test_analyst_snippets_run_on_the_committed_data(snippet, capsys):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(snippet, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out.strip()
