"""`python -m pipeline`: the command line. Each command is a thin shell over one stage's functions.

Exit codes: 0 success; 1 the data had problems (rejected records, failed
validation); 2 bad input or usage (a missing file, an empty page, an unknown
page kind); 3 a fetch in which some pages failed (their earlier captures are kept);
130 interrupted (Ctrl-C or SIGTERM; raw/ keeps what was stored).
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from . import DISTRIBUTION, __version__
from .build import BuildOutput, process_pages, run_build
from .fetch import Crawler, FetchReport
from .pages import OTHER, PAGE_KINDS, PageError, load_page
from .publish import json_lines
from .rawstore import RawStore, RawStoreError, import_jsonl
from .settings import START_URLS, USER_AGENT, FetchSettings
from .validate import validate_directory

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW = REPO_ROOT / "raw"
DEFAULT_OUT = REPO_ROOT / "processed"
OK, DATA_PROBLEMS, BAD_INPUT, FETCH_FAILED = 0, 1, 2, 3
INTERRUPTED = 130


class CliError(Exception):
    """Bad input: reported as one line, exit code 2."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (CliError, PageError, RawStoreError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted; raw/ keeps every capture stored so far", file=sys.stderr)
        return INTERRUPTED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"{DISTRIBUTION} {__version__}",
                        help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="raw/ snapshot → validated Parquet datasets in processed/")
    _add_raw_option(build, "raw/ folder to read")
    _add_out_option(build)
    build.set_defaults(handler=cmd_build)

    parse = commands.add_parser("parse", help="parse one capture and print its records as JSON Lines")
    parse.add_argument("file", type=Path, metavar="FILE", help="an HTML or text capture")
    parse.add_argument("--url", help="the page's URL: tells its kind, language and detail/listing URL")
    parse.add_argument("--kind", choices=[k for k in PAGE_KINDS if k != OTHER],
                       help="the page kind, when neither the URL nor the content tells")
    parse.set_defaults(handler=cmd_parse)

    validate = commands.add_parser("validate", help="check a processed/ folder against the schema and rules")
    validate.add_argument("dir", type=Path, nargs="?", default=DEFAULT_OUT, metavar="DIR",
                          help="the folder to check (default: the repo's processed/)")
    validate.set_defaults(handler=cmd_validate)

    fetch = commands.add_parser("fetch", help="crawl the live listings and their project pages into raw/")
    _add_fetch_options(fetch)
    fetch.set_defaults(handler=cmd_fetch)

    refresh = commands.add_parser("refresh", help="fetch, then build: the scheduled job")
    _add_fetch_options(refresh)
    _add_out_option(refresh)
    refresh.set_defaults(handler=cmd_refresh)

    imports = commands.add_parser("import", help="add the captures of a corpus JSON Lines file to raw/")
    imports.add_argument("jsonl", type=Path, metavar="JSONL", help='lines of {"url", "kind", "complete", "text"}')
    _add_raw_option(imports, "raw/ folder to write")
    imports.set_defaults(handler=cmd_import)
    return parser


def _add_raw_option(parser: argparse.ArgumentParser, purpose: str) -> None:
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, metavar="DIR", help=f"{purpose} (default: the repo's raw/)")


def _add_out_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help="folder to publish to (default: the repo's processed/)")


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start-url", action="append", metavar="URL", dest="start_urls",
                        help="a listing (or project) URL to start from; repeatable (default: the site's listings)")
    _add_raw_option(parser, "raw/ folder to write")
    parser.add_argument("--delay", type=float, default=FetchSettings.delay, metavar="SECONDS",
                        help="pause between requests to one host (default: 1.0; a larger robots.txt Crawl-delay wins)")
    parser.add_argument("--max-pages", type=int, metavar="N", help="stop after N pages")
    parser.add_argument("--user-agent", default=USER_AGENT, metavar="UA", help="User-Agent header naming the crawler and a contact URL")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")


def cmd_fetch(args: argparse.Namespace) -> int:
    report = _fetch(args)
    return FETCH_FAILED if report.failed else OK


def cmd_refresh(args: argparse.Namespace) -> int:
    report = _fetch(args)
    _print_build(run_build(args.raw, args.out), args.out)
    return FETCH_FAILED if report.failed else OK


def _fetch(args: argparse.Namespace) -> FetchReport:
    start_urls = tuple(args.start_urls or START_URLS)
    for url in start_urls:
        if not url.startswith(("http://", "https://")):
            raise CliError(f"--start-url {url!r}: not an http(s) URL")
    if args.delay < 0 or (args.max_pages is not None and args.max_pages < 1):
        raise CliError("--delay must be >= 0 and --max-pages >= 1")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(message)s")
    settings = FetchSettings(start_urls=start_urls, delay=args.delay, max_pages=args.max_pages,
                             user_agent=args.user_agent)
    signal.signal(signal.SIGTERM, _interrupt)
    with _progress_bar() as progress:
        report = Crawler(RawStore(args.raw), settings, progress=progress).crawl()
    for line in report.lines():
        print(line)
    return report


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a stopped cron job or systemd unit) ends a crawl like Ctrl-C: the manifest is saved."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal; silent when stderr is not one (cron, CI)."""
    if not sys.stderr.isatty():
        yield lambda url: None
        return
    from tqdm import tqdm

    with tqdm(unit="page", file=sys.stderr, leave=False) as bar:
        def advance(url: str) -> None:
            bar.update(1)
            bar.set_postfix_str(url[-50:], refresh=False)

        yield advance


def cmd_build(args: argparse.Namespace) -> int:
    _print_build(run_build(args.raw, args.out), args.out)
    return OK


def _print_build(output: BuildOutput, out: Path) -> None:
    summary = output.summary()
    print(f"built {out}: {summary['pages']} pages read, {summary['projects']} projects, "
          f"{summary['rejects']} rejects, {summary['warnings']} warnings")
    for reject in output.rejects:
        print(f"reject: {reject['page_url']} line {reject['line']}: {reject['reason']}", file=sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file")
    body = args.file.read_bytes()
    content_type = "text/html" if args.file.suffix.lower() in (".html", ".htm") else ""
    try:
        page = load_page(body, content_type, args.url, kind=args.kind)
    except PageError as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    if page.kind == OTHER:
        raise CliError(f"{args.file}: cannot tell the page kind (not a listing or project page); "
                       "give --url or --kind")
    output = process_pages([page])
    for line in json_lines(output.projects):
        print(line)
    for warning in output.warnings:
        print(f"warning: {_where(args.file, warning['line'])}: {warning['message']}", file=sys.stderr)
    for reject in output.rejects:
        print(f"reject: {_where(args.file, reject['line'])}: {reject['reason']}", file=sys.stderr)
    return DATA_PROBLEMS if output.rejects else OK


def cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_directory(args.dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problems in {args.dir}", file=sys.stderr)
        return DATA_PROBLEMS
    print(f"{args.dir}: valid")
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    if not args.jsonl.is_file():
        raise CliError(f"{args.jsonl}: no such file")
    captures = import_jsonl(RawStore(args.raw), args.jsonl)
    print(f"imported {len(captures)} captures into {args.raw}")
    return OK


def _where(path: Path, line: object) -> str:
    return f"{path}:{line}" if line else str(path)
