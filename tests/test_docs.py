"""The docs are tested: the README must stay true to the CLI, the schema and the data."""

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.schema import data_dictionary

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMAND_LINE = README.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]


def cli_help(*args: str) -> str:
    """What `python -m pipeline ARGS --help` prints, run in-process through the real entry point."""
    out, argv = io.StringIO(), sys.argv
    sys.argv = [str(ROOT / "pipeline" / "__main__.py")]
    try:
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
            main([*args, "--help"])
    finally:
        sys.argv = argv
    return out.getvalue()


def help_section(text: str, title: str) -> list[str]:
    """The lines of one `title:` section of a help text, up to the next blank line."""
    match = re.search(rf"^{title}:\n(.*?)(?:\n\n|\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1).splitlines() if match else []


def documented_names(text: str) -> list[str]:
    """Each `--option` and positional metavar a help text offers, as a user would type them."""
    options = re.findall(r"(?<![\w-])--[a-z][\w-]*", "\n".join(help_section(text, "options")))
    positionals = [line.split()[0] for line in help_section(text, "positional arguments") if re.match(r"  \S", line)]
    return [name for name in options + positionals if name != "--help"]


def command_names() -> list[str]:
    """The subcommands the top-level help lists (indented under COMMAND)."""
    return [line.split()[0] for line in help_section(cli_help(), "positional arguments") if re.match(r" {4}\S", line)]


def test_the_help_lists_the_commands():
    assert len(command_names()) >= 6


def in_command_line_section(name: str) -> bool:
    """`name` as a whole word of the README's Command line section (`--raw` is not found in `--raw-dir`)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", COMMAND_LINE) is not None


@pytest.mark.parametrize(
    "command", [[], *([name] for name in command_names())], ids=lambda args: " ".join(args) or "top"
)
def test_readme_documents_every_command_and_option(command):
    usage = " ".join(["python -m pipeline", *command])
    assert usage in COMMAND_LINE, f"`{usage}` is not in the README"
    for name in documented_names(cli_help(*command)):
        assert in_command_line_section(name), f"{name} of `{usage}` is not in the README"


def test_quick_start_is_one_block_of_two_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[^\n]*\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1
    build_line, test_line = blocks[0].strip().splitlines()
    assert build_line.endswith("-m pipeline build") and "pip install" in build_line
    assert test_line.endswith("-m pytest") and "pip install" in test_line


def test_data_dictionary_is_current():
    committed = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "stale: run `python -m pipeline.schema > docs/data-dictionary.md`"


@pytest.mark.parametrize(
    "snippet",
    re.findall(r"```python\n(.*?)```", README.split("## Loading the data", 1)[1].split("\n## ", 1)[0], re.DOTALL),
)
def test_analyst_snippets_run_on_the_committed_data(snippet, capsys):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(snippet, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out.strip()
