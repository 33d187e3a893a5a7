"""`python -m pipeline` and the `csr-nw-pipeline` console script: the command line.

Each command is a thin shell over one stage's functions. The exit codes live in
`EXIT_CODES`; each command's help lists the ones it can return.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import DISTRIBUTION, __version__, interrupt, lock
from .drift import GuardSettings
from .export import FORMATS, ExportError, export
from .history import change_lines, read_changes, read_runs, run_line
from .publish import PublishError, json_lines
from .rawstore import RawStore, RawStoreError, import_jsonl
from .schema import DATASETS
from .settings import LOG_FORMATS, PLACEHOLDER_CONTACT_URL, USER_AGENT, FetchSettings
from .site import DETAIL, LISTING, OTHER, START_URLS, page_kind
from .wording import counted

if TYPE_CHECKING:
    from .build import RunResult
    from .fetch import FetchReport, Progress
    from .pages import Page

# The stages a command runs (build, fetch, pages, validate) are imported by that command's handler, not
# here: each pulls in its own libraries (requests, bs4), which `report` or `runs` would load for nothing.

DEFAULT_RAW = Path("raw")
DEFAULT_OUT = Path("processed")
"""In the current folder: the repo's when run from it, a project folder's for an installed console script."""
MODULE_PROG = "python -m pipeline"
log = logging.getLogger(__name__)

OK, DATA_PROBLEMS, BAD_INPUT, FETCH_FAILED, REFUSED, LOCK_HELD = 0, 1, 2, 3, 4, 5
INTERRUPTED = 130
EXIT_CODES = {
    OK: "success",
    DATA_PROBLEMS: "the data had problems (a rejected record, a failed validation)",
    BAD_INPUT: "bad input or usage: a missing file or folder, an empty page, an unknown page kind, "
    "a broken raw/ manifest",
    FETCH_FAILED: "some pages could not be fetched; their earlier captures stay in raw/",
    REFUSED: "the drift guard refused to publish a build worse than the published one; processed/ is "
    "unchanged and the run log says why (--force publishes anyway)",
    LOCK_HELD: "another run holds the lock on raw/ (its PID and start time are named); nothing was read or written",
    INTERRUPTED: "interrupted (Ctrl-C or SIGTERM); a crawl keeps in raw/ every capture stored so far",
}
"""Every exit code and its meaning, in one place: the help texts derive from it."""

RAW_LOCKS = {"build": False, "fetch": True, "refresh": True, "import": True}
"""The commands that lock their raw/ folder for the whole run, and whether they create it (build only reads it)."""

DESCRIPTION = """\
Turn the published CSR North-West (csr-nw.ru) project catalogue into clean,
typed Parquet datasets that pandas, pyarrow, DuckDB and Polars read directly:
crawl the site into raw/, build and check processed/, or parse one saved page
to see the records read from it."""


class CliError(Exception):
    """Bad input: reported as one line, exit code 2."""


@dataclass(frozen=True)
class Command:
    """One subcommand: what its help says and what runs it."""

    name: str
    summary: str
    example: str
    exit_codes: tuple[int, ...]
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


def _is_page_error(exc: ValueError) -> bool:
    """A PageError, checked without importing the page reader for commands that never load it."""
    pages = sys.modules.get(f"{__package__}.pages")
    return pages is not None and isinstance(exc, pages.PageError)


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input and interrupts become exit codes, never tracebacks."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(program_name(sys.argv[0]))
    if not argv:
        parser.print_help(sys.stderr)
        return BAD_INPUT
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with interrupt.deferred_signals(), _raw_lock(args):
            return handler(args)
    except lock.LockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return LOCK_HELD
    except (CliError, RawStoreError, PublishError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except ValueError as exc:
        if not _is_page_error(exc):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except (interrupt.Interrupted, KeyboardInterrupt) as exc:
        print(
            f"error: {exc or 'interrupted'}; raw/ keeps every capture stored so far, processed/ is unchanged",
            file=sys.stderr,
        )
        return INTERRUPTED


@contextlib.contextmanager
def _raw_lock(args: argparse.Namespace) -> Iterator[None]:
    """One run at a time in a raw/ folder: its lock is held from before the first read to the last write.

    A raw/ that build is given but that does not exist is not created: the build reports it as bad input.
    """
    creates = RAW_LOCKS.get(args.command)
    if creates is None or not (creates or args.raw.is_dir()):
        yield
        return
    with lock.hold(args.raw, args.command) as taken_over:
        if taken_over:
            print(f"warning: {taken_over}", file=sys.stderr)
        yield


def program_name(argv0: str) -> str:
    """The name the user typed, for the usage line.

    `python -m pipeline` runs __main__.py; a console script is itself.
    """
    name = Path(argv0).name
    return MODULE_PROG if name in ("__main__.py", "") else name


def build_parser(prog: str = MODULE_PROG) -> argparse.ArgumentParser:
    """The whole command line; every subcommand comes from `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=_top_epilog(prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"{DISTRIBUTION} {__version__}", help="print the version and exit"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        _add_command(subparsers.add_parser, command, prog)
    return parser


def _add_command(add_parser: Callable[..., argparse.ArgumentParser], command: Command, prog: str) -> None:
    """A subcommand whose help opens with its summary and ends with an example and its exit codes."""
    parser = add_parser(
        command.name,
        help=command.summary,
        description=command.summary,
        epilog=_command_epilog(command, prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_arguments(parser)
    parser.set_defaults(handler=command.handler)


def _top_epilog(prog: str) -> str:
    """Where to look next, and every exit code, for a user who ran the tool bare."""
    return (
        f'Run "{prog} COMMAND --help" for a command\'s options,\nan example and its exit codes.\n\n'
        + _exit_codes_text(tuple(EXIT_CODES))
    )


def _command_epilog(command: Command, prog: str) -> str:
    """An example to copy and the exit codes a script or cron job can rely on."""
    return f"example:\n  {prog} {command.name} {command.example}\n\n" + _exit_codes_text(command.exit_codes)


def _exit_codes_text(codes: tuple[int, ...]) -> str:
    """The exit codes given, each with its meaning from `EXIT_CODES`."""
    return "exit codes:\n" + "\n".join(
        textwrap.fill(EXIT_CODES[code], width=79, initial_indent=f"  {code:<4} ", subsequent_indent=" " * 7)
        for code in codes
    )


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    """build reads one raw/ and publishes to one processed/, past the drift guard."""
    _add_raw_option(parser, "raw/ folder to read")
    _add_out_option(parser)
    _add_guard_options(parser)


def _add_guard_options(parser: argparse.ArgumentParser) -> None:
    """The drift guard's thresholds, and --force to publish past it."""
    defaults = GuardSettings()
    parser.add_argument(
        "--force", action="store_true", help="publish even when the drift guard objects (the run log records it)"
    )
    parser.add_argument(
        "--max-listing-loss",
        type=_share,
        default=defaults.max_listing_loss,
        metavar="SHARE",
        help="refuse when a listing loses more than this share of its projects "
        f"(default: {defaults.max_listing_loss}); a listing left with none is always refused",
    )
    parser.add_argument(
        "--max-reject-share",
        type=_share,
        default=defaults.max_reject_share,
        metavar="SHARE",
        help="refuse when more than this share of the records is rejected, and more than before "
        f"(default: {defaults.max_reject_share})",
    )
    parser.add_argument(
        "--filled-share",
        type=_share,
        default=defaults.filled_share,
        metavar="SHARE",
        help="refuse when a column filled in at least this share of the rows turns all-null "
        f"(default: {defaults.filled_share})",
    )


def _share(text: str) -> float:
    """A share from 0 to 1."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share from 0 to 1")
    return value


def _guard_settings(args: argparse.Namespace) -> GuardSettings:
    return GuardSettings(
        max_listing_loss=args.max_listing_loss, max_reject_share=args.max_reject_share, filled_share=args.filled_share
    )


def _runs_arguments(parser: argparse.ArgumentParser) -> None:
    """runs reads the run log of one processed/."""
    _add_data_option(parser)
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="how many runs, newest last (default: 10)")


def _changes_arguments(parser: argparse.ArgumentParser) -> None:
    """changes reads the changes of one processed/, optionally only after a run."""
    _add_data_option(parser)
    parser.add_argument("--since", metavar="RUN", help="only changes published after this run id (see `runs`)")


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help="the published folder to read (default: processed/ in the current folder)",
    )


def _parse_arguments(parser: argparse.ArgumentParser) -> None:
    """parse needs the file, and the URL or kind when the content alone does not tell."""
    parser.add_argument("file", type=Path, metavar="FILE", help="an HTML or text capture")
    parser.add_argument("--url", help="the page's URL: tells its kind, language and detail/listing URL")
    parser.add_argument(
        "--kind",
        choices=(LISTING, DETAIL),
        type=_kind_name,
        help="the page kind, when neither the URL nor the content tells",
    )


def _kind_name(name: str) -> str:
    """`--kind project` still works: it is the old name of `detail`."""
    try:
        return page_kind(name)
    except ValueError:
        return name  # argparse then lists the valid choices


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    """validate checks processed/ in the current folder unless told another folder."""
    parser.add_argument(
        "dir",
        type=Path,
        nargs="?",
        default=DEFAULT_OUT,
        metavar="DIR",
        help="the folder to check (default: processed/ in the current folder)",
    )


def _refresh_arguments(parser: argparse.ArgumentParser) -> None:
    """refresh is fetch followed by build, so it takes both's options."""
    _add_fetch_options(parser)
    _add_out_option(parser)
    _add_guard_options(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="fetch into a scratch copy of raw/, build and compare, and print what would change "
        "and whether the guard would publish; touches nothing",
    )


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    """import reads one corpus file into one raw/."""
    parser.add_argument("jsonl", type=Path, metavar="JSONL", help='lines of {"url", "kind", "complete", "text"}')
    _add_raw_option(parser, "raw/ folder to write")


def _add_raw_option(parser: argparse.ArgumentParser, purpose: str) -> None:
    """--raw, worded for whether the command reads or writes raw/."""
    parser.add_argument(
        "--raw", type=Path, default=DEFAULT_RAW, metavar="DIR", help=f"{purpose} (default: raw/ in the current folder)"
    )


def _add_out_option(parser: argparse.ArgumentParser) -> None:
    """--out, shared by build and refresh."""
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help="folder to publish to, one this pipeline created or a new or empty one "
        "(default: processed/ in the current folder)",
    )


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    """The crawl's options, shared by fetch and refresh."""
    parser.add_argument(
        "--start-url",
        action="append",
        metavar="URL",
        dest="start_urls",
        help="a page to start from: a thematic-area listing, a project page, or another page such as the "
        "home page, whose content tells its kind; repeatable (default: the site's thematic-area listings, "
        "one in English and one in Russian)",
    )
    parser.add_argument(
        "--all-areas",
        action="store_true",
        help="also follow every link to another thematic-area listing on the same site, in either language, "
        "from every listing and from a start page that is no listing: the whole catalogue; the summary "
        "counts the areas found per language",
    )
    _add_raw_option(parser, "raw/ folder to write")
    parser.add_argument(
        "--delay",
        type=float,
        default=FetchSettings.delay,
        metavar="SECONDS",
        help="pause between requests to one host (default: 1.0; a larger robots.txt Crawl-delay wins)",
    )
    _add_crawl_bounds(parser)
    parser.add_argument("--user-agent", metavar="UA", help="User-Agent header naming the crawler and a contact URL")
    parser.add_argument("--verbose", action="store_true", help="log every response and retry to stderr")
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text",
        help="stderr log lines as text, or one JSON object each for log collectors (default: text)",
    )


def _add_crawl_bounds(parser: argparse.ArgumentParser) -> None:
    """The options that make every crawl end, and every response too."""
    parser.add_argument(
        "--max-pages",
        type=int,
        default=FetchSettings.max_pages,
        metavar="N",
        help=f"stop after N pages (default: {FetchSettings.max_pages})",
    )
    parser.add_argument(
        "--max-pagination-pages",
        type=int,
        default=FetchSettings.max_pagination_pages,
        metavar="N",
        help="follow one listing's pagination for at most N pages "
        f"(default: {FetchSettings.max_pagination_pages}); a page that repeats an earlier "
        "one ends it sooner",
    )
    parser.add_argument(
        "--page-timeout",
        type=float,
        default=FetchSettings.page_timeout,
        metavar="SECONDS",
        help="give up on a response not whole after this long, headers to last byte "
        f"(default: {FetchSettings.page_timeout:g}); retried like a timeout",
    )


def cmd_fetch(args: argparse.Namespace) -> int:
    """fetch: a crawl; exit 3 tells cron that some pages failed."""
    return _fetch_exit_code(_fetch(args))


def _fetch_exit_code(report: FetchReport) -> int:
    """130 when a signal stopped the crawl, 3 when pages failed, else 0."""
    if report.interrupted:
        return INTERRUPTED
    return FETCH_FAILED if report.failed else OK


def cmd_refresh(args: argparse.Namespace) -> int:
    """refresh: a crawl, then a build even when pages failed (their earlier captures are still in raw/)."""
    from .build import run_build

    if args.dry_run:
        return _dry_run(args)
    report = _fetch(args)
    if report.interrupted:
        return INTERRUPTED
    result = run_build(
        args.raw, args.out, mode="refresh", fetched=_fetch_counts(report), guard=_guard_settings(args), force=args.force
    )
    _print_run(result, args.out)
    return REFUSED if result.outcome == "refused" else _fetch_exit_code(report)


def _fetch_counts(report: FetchReport) -> dict[str, int]:
    """What the run log records of a crawl."""
    return {
        "fetched": len(report.fetched) + len(report.unchanged),
        "not_modified": len(report.not_modified),
        "failed": len(report.failed),
    }


def _dry_run(args: argparse.Namespace) -> int:
    """refresh --dry-run: the crawl goes to a scratch copy of raw/; the build is compared, never written."""
    from .build import run_build

    with tempfile.TemporaryDirectory(prefix="csr-nw-dry-run-") as scratch:
        raw = Path(scratch) / "raw"
        if args.raw.is_dir():
            shutil.copytree(args.raw, raw, ignore=shutil.ignore_patterns(".*"))
        report = _fetch(argparse.Namespace(**{**vars(args), "raw": raw}))
        if report.interrupted:
            return INTERRUPTED
        result = run_build(
            raw,
            args.out,
            mode="refresh",
            fetched=_fetch_counts(report),
            guard=_guard_settings(args),
            force=args.force,
            dry_run=True,
        )
    _print_dry_run(result, args.out)
    return REFUSED if result.outcome == "refused" else _fetch_exit_code(report)


def _print_dry_run(result: RunResult, out: Path) -> None:
    """What a real refresh would do to `out`, and why."""
    verdict = {
        "published": f"would publish to {out}: {counted(len(result.changes), 'change')}",
        "unchanged": f"no row would change; {out} would be left as it is",
        "refused": f"refused by the drift guard; {out} would be left as it is",
    }[result.outcome]
    print(f"dry run: {verdict}")
    for reason in result.objections:
        print(f"  objection: {reason}")
    for line in change_lines(result.changes[:50]):
        print(f"  would change: {line}")
    if len(result.changes) > 50:
        print(f"  … and {counted(len(result.changes) - 50, 'more change')}")


def _fetch(args: argparse.Namespace) -> FetchReport:
    """One crawl into raw/ (a signal ends it between two pages), then its summary."""
    from .fetch import Crawler, crawl_logging

    with crawl_logging(sys.stderr, args.log_format, args.verbose):
        settings = _fetch_settings(args)
        with _progress_bar() as progress:
            report = Crawler(RawStore(args.raw), settings, progress=progress).crawl()
    for line in report.lines():
        print(line)
    return report


def _fetch_settings(args: argparse.Namespace) -> FetchSettings:
    """The crawl's settings, refusing bad options before any request is made."""
    start_urls = tuple(args.start_urls or START_URLS)
    for url in start_urls:
        if not url.startswith(("http://", "https://")):
            raise CliError(f"--start-url {url!r}: not an http(s) URL")
    if args.delay < 0 or args.max_pages < 1 or args.max_pagination_pages < 1 or args.page_timeout <= 0:
        raise CliError("--delay must be >= 0, --max-pages and --max-pagination-pages >= 1, --page-timeout > 0")
    return FetchSettings(
        start_urls=start_urls,
        all_areas=args.all_areas,
        delay=args.delay,
        max_pages=args.max_pages,
        max_pagination_pages=args.max_pagination_pages,
        page_timeout=args.page_timeout,
        user_agent=_user_agent(args.user_agent),
    )


def _user_agent(given: str | None) -> str:
    """The User-Agent to send; warns once when it is the default still naming the placeholder contact."""
    if given is not None:
        return given
    if PLACEHOLDER_CONTACT_URL in USER_AGENT:
        log.warning(
            "the default User-Agent names the placeholder contact %s; pass --user-agent with your own "
            "contact URL so the site's operators can reach you",
            PLACEHOLDER_CONTACT_URL,
            extra={"event": "placeholder_user_agent"},
        )
    return USER_AGENT


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[Progress], None]]:
    """Pages done, failures and the current URL or retry on a terminal, log lines printed above it;
    silent when stderr is not one (cron, CI)."""
    if not sys.stderr.isatty():
        yield lambda status: None
        return
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with tqdm(unit="page", file=sys.stderr, leave=False) as bar, logging_redirect_tqdm([logging.getLogger("pipeline")]):

        def show(status: Progress) -> None:
            bar.set_postfix_str(status.describe(), refresh=False)
            if status.retry_in is None:
                bar.update(status.pages_done - bar.n)
            else:  # the crawl is about to sleep: show it now
                bar.refresh()

        yield show


def cmd_build(args: argparse.Namespace) -> int:
    """build: raw/ → processed/; exit 4 when the drift guard refuses."""
    from .build import run_build

    result = run_build(args.raw, args.out, guard=_guard_settings(args), force=args.force)
    _print_run(result, args.out)
    return REFUSED if result.outcome == "refused" else OK


def _print_run(result: RunResult, out: Path) -> None:
    """The build's counts and outcome on stdout; each reject, and a refusal's reasons, on stderr."""
    summary = result.output.summary()
    print(
        f"built {out}: {counted(summary['pages'], 'page')} read, {counted(summary['projects'], 'project')}, "
        f"{counted(summary['rejects'], 'reject')}, {counted(summary['warnings'], 'warning')}, "
        f"{counted(summary['places'], 'place')} ({summary['unresolved_places']} unresolved)"
    )
    for reject in result.output.rejects:
        print(f"reject: {reject['page_url']} line {reject['line']}: {reject['reason']}", file=sys.stderr)
    print(f"run {result.run['run_id']}: {result.outcome_sentence(out)}")
    if result.outcome == "refused":
        for reason in result.objections:
            print(f"error: refused to publish: {reason}", file=sys.stderr)


def cmd_runs(args: argparse.Namespace) -> int:
    """runs: the run log, newest last."""
    _require_published(args.data)
    runs = read_runs(args.data)
    for run in runs[-args.limit :] if args.limit > 0 else []:
        print(run_line(run))
    if not runs:
        print(f"{args.data}: no runs logged yet")
    return OK


def cmd_changes(args: argparse.Namespace) -> int:
    """changes: what each publish changed, oldest first."""
    _require_published(args.data)
    changes = read_changes(args.data, args.since)
    for line in change_lines(changes):
        print(line)
    print(f"{counted(len(changes), 'change')}" + (f" since {args.since}" if args.since else ""), file=sys.stderr)
    return OK


def _require_published(folder: Path) -> None:
    if not folder.is_dir():
        raise CliError(f"{folder}: no such directory")


def cmd_parse(args: argparse.Namespace) -> int:
    """parse: one capture's records on stdout as JSON Lines; exit 1 when any was rejected."""
    from .build import process_pages

    output = process_pages([_load_capture(args.file, args.url, args.kind)])
    for line in json_lines(output.projects):
        print(line)
    for warning in output.warnings:
        print(f"warning: {_where(args.file, warning['line'])}: {warning['message']}", file=sys.stderr)
    for reject in output.rejects:
        print(f"reject: {_where(args.file, reject['line'])}: {reject['reason']}", file=sys.stderr)
    return DATA_PROBLEMS if output.rejects else OK


def _load_capture(path: Path, url: str | None, kind: str | None) -> Page:
    """One capture file as a page whose kind is known, or bad input naming the file."""
    from .pages import PageError, load_page

    _require_file(path)
    content_type = "text/html" if path.suffix.lower() in (".html", ".htm") else ""
    try:
        page = load_page(path.read_bytes(), content_type, url, kind=kind)
    except PageError as exc:
        raise CliError(f"{path}: {exc}") from exc
    if page.kind == OTHER:
        raise CliError(f"{path}: cannot tell the page kind (not a listing or project page); give --url or --kind")
    return page


def cmd_validate(args: argparse.Namespace) -> int:
    """validate: every problem on stdout, their count on stderr; exit 1 when there are any."""
    from .validate import validate_directory

    _require_dir(args.dir)
    problems = validate_directory(args.dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{counted(len(problems), 'problem')} in {args.dir}", file=sys.stderr)
        return DATA_PROBLEMS
    print(f"{args.dir}: valid")
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    """import: a corpus file's captures into raw/."""
    _require_file(args.jsonl)
    captures = import_jsonl(RawStore(args.raw), args.jsonl)
    print(f"imported {counted(len(captures), 'capture')} into {args.raw}")
    return OK


def _require_file(path: Path) -> None:
    """A file argument that is a folder or missing is bad input, named for what it is."""
    if path.is_dir():
        raise CliError(f"{path}: is a directory, not a file")
    if not path.is_file():
        raise CliError(f"{path}: no such file")


def _require_dir(path: Path) -> None:
    """A folder argument that is missing or a file is bad input, not a data problem."""
    if not path.exists():
        raise CliError(f"{path}: no such directory")
    if not path.is_dir():
        raise CliError(f"{path}: not a directory")


def _where(path: Path, line: object) -> str:
    """`FILE:LINE`, as editors and terminals link it; the file alone when the line is unknown."""
    return f"{path}:{line}" if line else str(path)


DEFAULT_EXPORTS = Path("exports")
"""Where `export` writes, in the current folder: beside processed/, never in it (a build replaces it whole)."""


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    """export reads one processed/ and writes one file per dataset."""
    parser.add_argument("--format", required=True, choices=FORMATS, help="the file format")
    parser.add_argument(
        "--dataset",
        choices=[dataset.name for dataset in DATASETS],
        help="export this dataset only (default: every one)",
    )
    _add_data_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_EXPORTS,
        metavar="DIR",
        help="folder to write DATASET.FORMAT files to, replacing files of those names "
        f"(default: {DEFAULT_EXPORTS}/ in the current folder)",
    )


def cmd_export(args: argparse.Namespace) -> int:
    """export: each file written and its rows on stdout; what xlsx could not hold on stderr."""
    datasets = [dataset for dataset in DATASETS if args.dataset in (None, dataset.name)]
    try:
        result = export(args.data, args.out, args.format, datasets)
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path, rows in result.files:
        print(f"wrote {path}: {counted(rows, 'row')}")
    return OK


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    """report reads one processed/ and writes one HTML file beside it."""
    from .report import COLOUR_KEYS, DEFAULT_MAX_BARS, LANGUAGES

    _add_data_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="the HTML file to write (default: report.html beside the data folder, not in it: "
        "each publish replaces that folder whole)",
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        help="only the rows in this language (default: every project once, its English row when it has both)",
    )
    parser.add_argument(
        "--colour-by",
        choices=COLOUR_KEYS,
        default=COLOUR_KEYS[0],
        help="what colours the timeline's bars (default: subdirection; thematic_area is a project's first area)",
    )
    parser.add_argument(
        "--max-bars",
        type=int,
        default=DEFAULT_MAX_BARS,
        metavar="N",
        help="the timeline draws one bar per project for at most N projects, the most recently started; "
        f"a per-year grid by group covers them all (default: {DEFAULT_MAX_BARS})",
    )


def cmd_report(args: argparse.Namespace) -> int:
    """report: one self-contained HTML page of charts and tables; exit 2 without the `report` extra."""
    from .report import ReportError, ReportOptions, default_out, write_report

    out = args.out or default_out(args.data)
    try:
        summary = write_report(
            args.data, out, ReportOptions(language=args.language, colour_by=args.colour_by, max_bars=args.max_bars)
        )
    except ReportError as exc:
        raise CliError(str(exc)) from exc
    bars = f"{summary.bars} of {counted(summary.dated, 'dated project')} drawn as bars"
    print(f"wrote {out}: {counted(summary.projects, 'project')}, {bars}, {summary.size / 1024:,.0f} KB")
    return OK


CRAWL_EXAMPLE = '--user-agent "my-crawler/1.0 (+https://example.org/contact)"'

COMMANDS: tuple[Command, ...] = (
    Command(
        "build",
        "raw/ snapshot → validated Parquet datasets in processed/",
        "--out /tmp/processed",
        (OK, BAD_INPUT, REFUSED, LOCK_HELD, INTERRUPTED),
        _build_arguments,
        cmd_build,
    ),
    Command(
        "parse",
        "parse one capture and print its records as JSON Lines",
        "saved-page.html --url http://csr-nw.ru/en/projects/2015/some-project/",
        (OK, DATA_PROBLEMS, BAD_INPUT, INTERRUPTED),
        _parse_arguments,
        cmd_parse,
    ),
    Command(
        "validate",
        "check a processed/ folder against the schema and rules",
        "processed/",
        (OK, DATA_PROBLEMS, BAD_INPUT, INTERRUPTED),
        _validate_arguments,
        cmd_validate,
    ),
    Command(
        "fetch",
        "crawl the live listings and their detail pages into raw/",
        CRAWL_EXAMPLE + " --max-pages 50",
        (OK, BAD_INPUT, FETCH_FAILED, LOCK_HELD, INTERRUPTED),
        _add_fetch_options,
        cmd_fetch,
    ),
    Command(
        "refresh",
        "fetch, then build: the scheduled job",
        CRAWL_EXAMPLE + " --all-areas",
        (OK, BAD_INPUT, FETCH_FAILED, REFUSED, LOCK_HELD, INTERRUPTED),
        _refresh_arguments,
        cmd_refresh,
    ),
    Command(
        "runs",
        "list the recent runs: published, unchanged or refused, and why",
        "--limit 5",
        (OK, BAD_INPUT),
        _runs_arguments,
        cmd_runs,
    ),
    Command(
        "changes",
        "print what each publish changed, field by field",
        "--since 20261101T000000.000000Z",
        (OK, BAD_INPUT),
        _changes_arguments,
        cmd_changes,
    ),
    Command(
        "report",
        "write one self-contained HTML page of the published data: timeline, counts, quality, runs",
        "--data processed/ --out /tmp/report.html",
        (OK, BAD_INPUT),
        _report_arguments,
        cmd_report,
    ),
    Command(
        "import",
        "add the captures of a corpus JSON Lines file to raw/",
        "corpus.jsonl --raw raw/",
        (OK, BAD_INPUT, LOCK_HELD, INTERRUPTED),
        _import_arguments,
        cmd_import,
    ),
    Command(
        "export",
        "write the datasets as CSV, XLSX or JSON Lines for spreadsheets",
        "--format xlsx --dataset projects --out exports/",
        (OK, BAD_INPUT, INTERRUPTED),
        _export_arguments,
        cmd_export,
    ),
)
"""Every subcommand, in the order the help lists them (defined last: it names the handlers above)."""
