"""Captures → pages: block-level text lines, each keeping its link, plus the page's kind and language.

HTML and text captures end up in the same shape, so one line grammar
(`pipeline.parse`) reads both. A blank line stands for a paragraph break.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import charset_normalizer
from bs4 import BeautifulSoup
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.element import Comment, NavigableString, PageElement, Tag
from bs4.exceptions import ParserRejectedMarkup

from .site import (
    DETAIL,
    LISTING,
    OTHER,
    heading_of,
    kind_of_url,
    known_field,
    language_of_url,
    page_kind,
    status_for_stage,
)


class PageError(ValueError):
    """A capture that cannot be turned into a page (empty, undecodable, unknown kind)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One block of text: whitespace squeezed, list marker removed.

    `item` says it was a list item (`- `, `•`, `<li>`, `<dd>`); `href` is the
    absolute URL of its first link; `heading` is 1–6 for `<h1>`…`<h6>`.
    """

    text: str
    href: str | None = None
    item: bool = False
    heading: int = 0
    block: int = field(default=0, compare=False)
    """The number of the innermost block element the line lies in (0 for text captures)."""
    parent: Span | None = field(default=None, compare=False)
    """The element that holds that block (its row, its list); None for text captures."""
    after_break: bool = field(default=False, compare=False)
    """The line began at a `<br>` inside the same block as the line before it."""

    def within_parent_of(self, other: Line) -> bool:
        """Whether this line lies inside the element that holds `other`'s block: where a value of
        `other` can stand. Always true for text captures, which have no blocks."""
        return other.parent is None or other.parent.holds(self.block)


@dataclass(slots=True)
class Span:
    """A block element as numbered in document order: its own number, and the last number inside it
    (None while it is open). A line keeps its parent's span, not the path of its ancestors, so a page
    nested a million deep costs a million spans, not a million paths."""

    start: int
    end: int | None = None

    def holds(self, block: int) -> bool:
        return self.start <= block and (self.end is None or block <= self.end)


@dataclass(frozen=True, slots=True)
class Page:
    url: str | None
    kind: str
    language: str
    lines: tuple[Line, ...]
    source_sha256: str = ""
    complete: bool = True


_BULLET = re.compile(r"^(?:[-•▪◦·*]|\d{1,2}[.)])\s+")
_UNINDENTED_BULLET = re.compile(r"^[-•▪◦·*]\s+")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


@functools.cache
def _format_characters() -> dict[int, None]:
    """Every Unicode format character (category Cf: soft hyphen, zero-width space and joiners, BOM,
    direction marks), to delete. They all lie in planes 0, 1 and 14, which keeps this scan short; it runs
    on the first non-ASCII text, not at import, so a command that reads no page does not pay for it."""
    planes = (*range(0x20000), *range(0xE0000, 0xF0000))
    return dict.fromkeys((code for code in planes if unicodedata.category(chr(code)) == "Cf"), None)


def squeeze(text: str) -> str:
    """Delete invisible format characters and collapse every run of whitespace (non-breaking too) to one
    space: a soft hyphen must not make two titles or an unknown label, nor a zero-width space a visible one."""
    if not text.isascii():
        text = text.translate(_format_characters())
    return " ".join(text.split())


def text_lines(text: str) -> list[Line]:
    """Lines of a text rendering; a leading `- `, `•` or indented `1.` marks a list item."""
    lines = []
    for raw in text.splitlines():
        stripped = raw.lstrip()
        marker = (_BULLET if raw[:1].isspace() else _UNINDENTED_BULLET).match(stripped)
        body = stripped[marker.end() :] if marker else stripped
        lines.append(Line(squeeze(body), item=marker is not None))
    return lines


_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "footer",
        "head",
        "form",
        "svg",
        "iframe",
        "button",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_PARAGRAPH_TAGS = frozenset({"blockquote", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "table", "ul"})
_ITEM_TAGS = frozenset({"li", "dd"})


_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_CONTINUED = re.compile(r"[-‐‑‒–—,]\s*$")
"""Text that a `<br>` cannot end: a range or list that goes on on the next line."""


class _Open(NamedTuple):
    """What entering an element changed, to be undone when its last child has been walked."""

    name: str
    block: bool
    enclosing_href: str | None
    heading: int


class _LineBuilder:
    """Walks an HTML tree and cuts its text into lines at block boundaries."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._href: str | None = None
        self._enclosing_href: str | None = None
        self._item_depth = 0
        self._heading = 0
        self._spans: list[Span] = [Span(0)]
        self._block_count = 0
        self._in_link = 0
        self._after_break = False

    def walk(self, root: Tag) -> None:
        """The text under `root` in document order; each element is entered before its children
        and left after them, where the block, paragraph, item, heading and link bookkeeping happens.

        No recursion, so no depth limit: the stack holds, for every open element, the iterator
        over its children not walked yet and what leaving it must undo.
        """
        stack: list[tuple[Iterator[PageElement], _Open | None]] = [(iter(root.contents), None)]
        while stack:
            children, opened = stack[-1]
            for child in children:
                if isinstance(child, Tag):
                    entered = self._enter(child) if child.name not in _SKIP_TAGS else None
                    if entered is not None:
                        stack.append((iter(child.contents), entered))
                        break
                elif isinstance(child, NavigableString) and not isinstance(child, Comment):
                    self._parts.append(str(child))
            else:
                stack.pop()
                if opened is not None:
                    self._leave(opened)

    def _enter(self, tag: Tag) -> _Open | None:
        """Start an element; None when it has no children to walk (`<br>`)."""
        name = tag.name
        if name == "br":
            self._break()
            return None
        block = name in _BLOCK_TAGS
        if block:
            self.flush()
            if name in _PARAGRAPH_TAGS:
                self.blank()
        heading = _HEADINGS.get(name, 0)
        opened = _Open(name, block, self._enclosing_href, heading)
        if block:
            self._block_count += 1
            self._spans.append(Span(self._block_count))
        self._in_link += name == "a"
        href = tag.get("href") if name == "a" else None
        link = _absolute(self.base_url, str(href)) if href else None
        if link:
            self._href = self._href or link
            self._enclosing_href = opened.enclosing_href or link
        self._item_depth += name in _ITEM_TAGS
        self._heading = heading or self._heading
        return opened

    def _break(self) -> None:
        """A `<br>`: a space inside a title or link (one heading, one link text), after a dangling dash or
        comma (`December 2013 –<br>March 2014` is one value); elsewhere the end of a line."""
        if self._heading or self._in_link or _CONTINUED.search("".join(self._parts[-3:])):
            self._parts.append(" ")
        elif self._parts:
            self.flush()
            self._after_break = True

    def _leave(self, opened: _Open) -> None:
        self._in_link -= opened.name == "a"
        if opened.block:
            self.flush()
            self._spans.pop().end = self._block_count
        self._item_depth -= opened.name in _ITEM_TAGS
        self._enclosing_href = opened.enclosing_href
        self._heading = 0 if opened.heading else self._heading
        if opened.name in _PARAGRAPH_TAGS:
            self.blank()

    def flush(self) -> None:
        text = squeeze("".join(self._parts))
        if text:
            href = self._href or self._enclosing_href
            block, parent = self._spans[-1].start, self._spans[-2] if len(self._spans) > 1 else None
            self.lines.append(Line(text, href, self._item_depth > 0, self._heading, block, parent, self._after_break))
        self._parts.clear()
        self._href = None
        self._after_break = False

    def blank(self) -> None:
        if self.lines and self.lines[-1].text:
            self.lines.append(Line(""))


def _absolute(base_url: str | None, href: str) -> str | None:
    """`href` made absolute against the page's URL; None when either is no parsable URL (`http://[x`)."""
    try:
        link = urljoin(base_url or "", href)
        urlsplit(link)
    except ValueError:
        return None
    return link


_RESCAN_SLACK = 1 << 20


class _LinearHTMLParser(BeautifulSoupHTMLParser):
    """bs4's html.parser driver, with a budget on scans for the end of a tag, comment,
    declaration or processing instruction that never comes.

    html.parser (before CPython gh-135462) scans to the end of the input for such a
    construct; at the end of input it then takes the construct's first characters as text
    and tries again at the next `<`, so a page of many of them costs time quadratic in its
    size: 60 KB of `<a ` take a minute, 10 MB would take days. Each failed scan is charged
    what it may have read (the rest of the input); past three times the page plus 1 MiB,
    the page is given up as a PageError. A page with a few such constructs, a capture cut
    in the middle of a tag, for one, stays well inside the budget; so does any page on a
    Python whose html.parser has that fix: it never rescans.
    """

    _charged = 0
    _budget = -1

    def _charge(self, start: int, end: int) -> int:
        if end < 0:
            if self._budget < 0:
                self._budget = 3 * len(self.rawdata) + _RESCAN_SLACK
            self._charged += len(self.rawdata) - start
            if self._charged > self._budget:
                raise PageError(
                    "the markup has too many tags or comments that never end: "
                    "html.parser would rescan the rest of the page for each of them"
                )
        return end

    def parse_starttag(self, i: int) -> int:
        return self._charge(i, super().parse_starttag(i))

    def parse_endtag(self, i: int) -> int:
        return self._charge(i, super().parse_endtag(i))

    def parse_comment(self, i: int, report: bool = True) -> int:
        return self._charge(i, super().parse_comment(i, report))

    def parse_pi(self, i: int) -> int:
        return self._charge(i, super().parse_pi(i))

    def parse_html_declaration(self, i: int) -> int:
        return self._charge(i, super().parse_html_declaration(i))


class _LinearHTMLParserTreeBuilder(HTMLParserTreeBuilder):
    """bs4's "html.parser" builder, parsing with `_LinearHTMLParser`."""

    def feed(self, markup: str | bytes, _parser_class: type[BeautifulSoupHTMLParser] = _LinearHTMLParser) -> None:
        super().feed(markup, _parser_class)


def _parse(html: str) -> BeautifulSoup:
    """The tree bs4's html.parser builder makes; PageError for markup it cannot read."""
    try:
        return BeautifulSoup(html, builder=_LinearHTMLParserTreeBuilder())
    except ParserRejectedMarkup as exc:
        raise PageError(f"html.parser rejects the markup: {exc}") from exc
    except RecursionError as exc:  # no bs4 step recurses on depth today; a later version might
        raise PageError("the markup is nested too deeply for the HTML parser") from exc


def _free(soup: BeautifulSoup) -> None:
    """Take the tree apart now, element by element (bs4's `decompose` is a loop, not a recursion).

    A parse tree is a web of reference cycles: left alone it waits for the cycle collector,
    which `pipeline.build.run_build` pauses, so a 10 MB page would hold gigabytes until the build ends.
    """
    for element in list(soup.contents):
        element.decompose()


def html_lines(html: str, base_url: str | None = None) -> list[Line]:
    """Block-level lines of an HTML page, starting at its first `<h1>` when it has one.

    Any depth of nesting reads. PageError when html.parser rejects the markup, or when it
    would take time quadratic in the page's size over it (see `_LinearHTMLParser`).
    """
    soup = _parse(html)
    try:
        builder = _LineBuilder(base_url)
        builder.walk(soup.body or soup)
        builder.flush()
    finally:
        _free(soup)
    lines = builder.lines
    first_h1 = next((i for i, line in enumerate(lines) if line.heading == 1), 0)
    return lines[first_h1:]


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


_SURROGATE = re.compile("[\ud800-\udfff]")


def detect_charset(body: bytes, content_type: str, declared: str | None = None) -> str:
    """The charset to decode with: the declared one (a name or an HTTP Content-Type header),
    then an HTML meta charset, then UTF-8, then detection. Raises PageError when nothing fits."""
    return _detect(body, content_type, declared)[0]


def decode(body: bytes, content_type: str, charset: str | None = None) -> str:
    """Bytes → text, with the charset `detect_charset` picks."""
    return _detect(body, content_type, charset)[1]


def _detect(body: bytes, content_type: str, declared: str | None) -> tuple[str, str]:
    candidates = []
    if declared:
        header = _HEADER_CHARSET.search(declared)
        candidates.append(header.group(1) if header else declared if "/" not in declared else None)
    if content_type == "text/html":
        meta = _META_CHARSET.search(body[:4096])
        candidates.append(meta.group(1).decode("ascii") if meta else None)
    for name in filter(None, [*candidates, "utf-8"]):
        text = _decoded(body, name)
        if text is not None:
            return codecs.lookup(name).name, text
    best = charset_normalizer.from_bytes(body).best()
    text = _decoded(body, best.encoding) if best is not None else None
    if best is None or text is None:
        raise PageError("cannot decode the capture: no charset fits its bytes")
    return best.encoding, text


def _decoded(body: bytes, charset: str) -> str | None:
    """`body` decoded, or None when `charset` is no text codec or the bytes do not fit it.

    Every way a codec can refuse counts (a name with a NUL, the `undefined` codec), and so does
    a decoding that leaves lone surrogates (UTF-7 and `unicode_escape` can): no UTF-8 writer takes them.
    """
    try:
        text = body.decode(charset)
    except (LookupError, ValueError):  # UnicodeError is a ValueError
        return None
    return None if _SURROGATE.search(text) else text


def language_of(url: str | None, lines: list[Line]) -> str:
    """The language the URL says (`/en/` or the site's other paths), else the one its letters show."""
    from_url = language_of_url(url) if url else None
    if from_url:
        return from_url
    sample = " ".join(line.text for line in lines[:200])
    return "ru" if len(_CYRILLIC.findall(sample)) > len(_LATIN.findall(sample)) else "en"


def kind_of(url: str | None, lines: list[Line], claimed: str | None = None) -> str:
    """Listing, detail or other: the URL's pattern decides when it tells; else the kind the capture
    claims, but a claimed listing must read as one (a home page of project teasers is no listing);
    else what the lines hold."""
    from_url = kind_of_url(url) if url else None
    if from_url:
        return from_url
    if claimed is not None and claimed != LISTING:
        return claimed
    if _reads_as_listing(lines):
        return LISTING
    if claimed is None and any(status_for_stage(line.text) for line in lines[1:12] if line.text):
        return DETAIL
    return OTHER


def _reads_as_listing(lines: list[Line]) -> bool:
    """Two or more different field labels, under a section heading (`Ongoing`, a year)."""
    seen_heading, fields = False, set()
    for line in lines:
        if not line.text:
            continue
        seen_heading = seen_heading or heading_of(line.text) is not None
        known = known_field(line.text)
        if known and seen_heading:
            fields.add(known[0])
            if len(fields) >= 2:
                return True
    return False


def load_page(
    body: bytes,
    content_type: str,
    url: str | None = None,
    *,
    charset: str | None = None,
    kind: str | None = None,
    source_sha256: str = "",
    complete: bool = True,
) -> Page:
    """Turn a capture's bytes into a Page; `kind` overrides detection when the caller knows it.

    Whatever the bytes, the only error is PageError, whose message says why the capture is no page.
    """
    if url is not None:
        try:
            urlsplit(url)
        except ValueError as exc:
            raise PageError(f"the capture's URL cannot be parsed: {exc}") from exc
    text = decode(body, content_type, charset)
    is_html = content_type == "text/html" or (content_type != "text/plain" and _looks_like_html(text))
    lines = html_lines(text, url) if is_html else text_lines(text)
    if not any(line.text for line in lines):
        raise PageError("the page is empty")
    try:
        known_kind = kind_of(url, lines, page_kind(kind) if kind is not None else None)
    except ValueError as exc:
        raise PageError(str(exc)) from exc
    return Page(
        url=url,
        kind=known_kind,
        language=language_of(url, lines),
        lines=tuple(lines),
        source_sha256=source_sha256 or hashlib.sha256(body).hexdigest(),
        complete=complete,
    )


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or "<html" in head or "<body" in head
