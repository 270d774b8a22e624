"""Raw news pages: the article's own text and metadata, with the site chrome left out.

The input is a page as stored by a crawler: an optional ` date YYYY-MM-DD` header line that
may carry a byline or chrome, the headline, the article, boilerplate (share widgets, comment
rules, lists of other headlines) and a `---` footer. `raw` keeps all of it; this module
returns what a careful reader would take from it.

A page may credit a person (a byline) and a wire or outlet (a dateline's "(AA)" or "/TASS/.",
a "Source: X" line, a closing "—APP", "(MENAFN- X)"): the person is the `author`, the wire
the `agency`, and a page that names both keeps both.
"""

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from app.ingest.credits import credit, wire
from app.ingest.source import source_from_handle, source_from_url
from app.ingest.stamps import (
    STAMP_WORDS,
    dotted_stamp,
    glued_stamp,
    is_banner,
    issued_stamp,
    stamp_words,
    url_date,
)
from app.kit.dates import MONTHS, PartialDate, date_in_line, parse_partial_iso
from app.kit.language import detect_language
from app.kit.text import fold, normalize_body
from app.taxonomy import DatePrecision

_HEADER = re.compile(r"^\s*date\s+(\d{4}(?:-\d{2}){0,2})\b\s*(.*)$", re.I)
_BYLINE = re.compile(r"^by[:\s]+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})\s*$", re.I)
_SOURCE_LINE = re.compile(r"^source\s*:\s*(.{2,60})$", re.I)
_FOOTER_RULE = re.compile(r"^\s*(?:-{3,}|_{3,}|\*{3,})\s*$")
_HANDLE = re.compile(r"@([A-Za-z]\w{2,30})")
_TERMINAL = re.compile(r"[.;,:…]$|\.\.\.$")
_SENTENCE_TERMINAL = re.compile(r"[.!?…:\"”’')\]]$")
# "LONDON (AA) –", "BAKU, Azerbaijan, Jan. 31", "ANKARA:", "(MENAFN- AzerNews)", "ASTANA. KAZINFORM -"
_DATELINE = re.compile(
    r"^(?:\(|[A-Z][A-Z .'-]{2,}\s?(?::|[-–—]\s|\(|\.\s+[A-Z]{3,})"
    r"|[A-Z][\w .'-]{1,30},\s+(?:[A-Z][\w .'-]+,\s+)?" + MONTHS + r"\s+\d{1,2}"
    r"|[A-Z][\w .'/-]{1,30}\s\((?:[A-Z][\w .]*)\)\s*[-–—:])"
)
# A line that stops on a comma or a function word was cut by a hard wrap, not by its author.
_OPEN_END = re.compile(
    r"(?:,|\b(?:and|or|but|the|a|an|of|on|in|to|for|with|by|at|from|that|is|are|was|were|has|have))$"
)
_GLUED_SENTENCES = re.compile(r"(?<=[a-z]{3})\.(?=[A-Z][a-z]{2,})")
_CREDIT_IN_LINE = re.compile(r"\b(?:photo|picture|image|foto)s?\b(?:\s+(?:courtesy|by)\b|:)", re.I)
_AGENCY_PATTERNS = (
    re.compile(r"\(MENAFN-\s*([^)]+)\)"),
    re.compile(r"^[A-Z][\w ,.'-]{1,40}\s\(([A-Z][A-Za-z]{1,15})\)\s*[-–—:]"),  # "(AA) –", "(ANI):"
    re.compile(r"^[A-Z][\w ,.'-]{1,40}\s\(([A-Z][A-Za-z ]{1,20})\)\s*--"),
    re.compile(r"\s/([A-Z]{2,10})/\."),
    re.compile(r"^[A-Z][A-Z .'-]{2,30}\.\s+([A-Z]{3,15})\s+[-–—]"),
    re.compile(r"^[^()]{0,40}\((?:[^()/]+/)+\s*([A-Z]{2,10})\s+-\s"),
)
_TRAILING_AGENCY = (
    re.compile(r"[—–-]\s?([A-Z]{2,10})\s*$"),
    re.compile(r"\(([A-Z][A-Za-z]{2,15})\)\s*$"),
)


@dataclass(frozen=True)
class ParsedPage:
    title: str | None
    title_is_derived: bool
    author: str | None  # a person
    agency: str | None  # the wire or outlet the page credits
    published: PartialDate | None
    source_name: str | None
    source_domain: str | None
    language: str | None
    body: str

    @property
    def byline(self) -> str | None:
        """The credit as the gold guideline records its `author`, "the byline's person or
        agency": the person, else the agency."""
        return self.author or self.agency


@cache
def _rules() -> dict[str, re.Pattern[str]]:
    raw = resources.files("app").joinpath("data/boilerplate.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return {
        key: re.compile("^(?:" + "|".join(data[key]) + ")$", re.I)
        for key in ("drop_line", "cut_after", "photo_credit")
    }


def _is_chrome(line: str) -> bool:
    stripped = line.strip()
    return not re.search(r"\w", stripped) or bool(_rules()["drop_line"].match(stripped))


def _headline_like(line: str) -> bool:
    words = line.split()
    return (
        3 <= len(words) <= 24
        and not _TERMINAL.search(line.rstrip("\"'”’ "))
        and not re.search(r"[-–—|]$", line)
        and not _CREDIT_IN_LINE.search(line)
        and date_in_line(line) is None
        and not _DATELINE.match(line)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "\"'“‘")
    )


def _slug_words(url: str | None) -> set[str]:
    if not url:
        return set()
    path = re.sub(r"\.\w+$", "", url.split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    return {w for w in re.split(r"[^a-z]+", path.lower()) if len(w) > 1}


def _unwrap(block: list[str]) -> list[str]:
    """Join hard-wrapped lines: a block where most breaks fall mid-sentence is one paragraph."""
    if len(block) < 3:
        return block
    mid = sum(
        1
        for line, nxt in itertools.pairwise(block)
        if not _SENTENCE_TERMINAL.search(line)
        and (nxt[:1].islower() or nxt[:1].isdigit() or _OPEN_END.search(line))
    )
    if mid * 2 < len(block) - 1:
        return block
    # Each paragraph as a list of its lines, joined at the end: adding to a growing string
    # copies it every time, and a page of thousands of unpunctuated lines took minutes.
    paragraphs: list[list[str]] = []
    for line in block:
        if paragraphs and not _SENTENCE_TERMINAL.search(paragraphs[-1][-1]):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [" ".join(lines) for lines in paragraphs]


def _blocks(lines: list[str]) -> list[str]:
    out: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line.strip())
            continue
        out.extend(_unwrap(block))
        block = []
    return out


def _drop_captions(lines: list[str]) -> list[str]:
    """A short line followed by a photo credit is a caption; the credit itself is chrome."""
    credit = _rules()["photo_credit"]
    keep: list[str] = []
    for index, line in enumerate(lines):
        nxt = lines[index + 1].strip() if index + 1 < len(lines) else ""
        words = len(line.split())
        caption_like = words <= 8 or (words <= 20 and not _SENTENCE_TERMINAL.search(line))
        if nxt and credit.match(nxt) and caption_like:
            continue
        keep.append(line)
    return keep


def _cut_boilerplate(lines: list[str]) -> list[str]:
    cut = _rules()["cut_after"]
    for index, line in enumerate(lines):
        if index > 0 and cut.match(line.strip()):
            return lines[:index]
    return lines


def _drop_trailing_headlines(lines: list[str]) -> list[str]:
    """A run of two or more short unpunctuated lines at the end is a list of other stories."""
    end = len(lines)
    while end > 0:
        line = lines[end - 1]
        words = len(line.split())
        if 2 <= words <= 25 and not _SENTENCE_TERMINAL.search(line) and not line.endswith(":"):
            end -= 1
            continue
        break
    return lines[:end] if len(lines) - end >= 2 and end > 0 else lines


def _agency(lines: list[str]) -> str | None:
    for line in lines[:4]:
        for pattern in _AGENCY_PATTERNS:
            match = pattern.search(line)
            if match:
                return match.group(1)
    if lines:
        for pattern in _TRAILING_AGENCY:
            match = pattern.search(lines[-1])
            if match:
                return match.group(1)
    return None


def _choose_title(lines: list[str], url: str | None) -> int | None:
    window = []
    for index, line in enumerate(lines[:4]):
        if _headline_like(line):
            window.append(index)
        elif len(line.split()) > 30 or _SENTENCE_TERMINAL.search(line):
            break
    if not window:
        return None
    slug = _slug_words(url)
    if len(window) > 1 and len(slug) >= 3:

        def overlap(i: int) -> float:
            words = set(fold(lines[i]).split())
            return len(words & slug) / max(len(words), 1)

        best = max(window, key=overlap)
        if overlap(best) > 0:
            return best
    return window[0]


def _derive_title(body: str) -> str | None:
    first = re.split(r"(?<=[.!?])\s", body.strip(), maxsplit=1)[0] if body.strip() else ""
    words = first.split()
    if not words:
        return None
    return " ".join(words[:14]) + ("…" if len(words) > 14 else "")


@dataclass
class _Credits:
    """What a page says about itself as its lines are read: when, by whom, through which wire."""

    published: PartialDate | None = None
    author: str | None = None
    agency: str | None = None

    def first(self, person: str | None, wire: str | None) -> None:
        """Keep what is known; fill what is not."""
        self.author, self.agency = self.author or person, self.agency or wire


def _read_header(lines: list[str], credits: _Credits) -> None:
    """The scraper's first line: '<date> | <byline>' (the date and credit taken, the rest kept)."""
    header = _HEADER.match(lines[0]) if lines else None
    if not header:
        return
    credits.published = parse_partial_iso(header.group(1))
    rest = header.group(2).strip().lstrip("|").strip()
    byline = _BYLINE.match(rest)
    if byline:
        (credits.author, credits.agency), rest = credit(byline.group(1)), ""
    elif re.match(r"^published by$", rest, re.I):
        rest = "Published by"
    lines[0] = rest


def _split_footer(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines above the footer rule, and those below it."""
    for index, line in enumerate(lines):
        if _FOOTER_RULE.match(line):
            return lines[:index], lines[index + 1 :]
    return lines, []


def _credit_line(lines: list[str], index: int, credits: _Credits) -> bool:
    """Whether the line is a credit (a byline, a 'Source:' line, 'Trend:'), taken if so."""
    line = lines[index]
    byline = _BYLINE.match(line)
    if byline and (index < 4 or index >= len(lines) - 4):
        person, wire = credit(byline.group(1))
        credits.author, credits.agency = person or credits.author, credits.agency or wire
        return True
    if index < 4 and re.fullmatch(r"[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}:", line):
        credits.first(*credit(line))  # "Trend:" under a dateline
        return True
    source_line = _SOURCE_LINE.match(line)
    if source_line and index >= len(lines) - 3:
        credits.first(*credit(source_line.group(1)))
        return True
    return False


def _date_line(lines: list[str], index: int, credits: _Credits) -> bool:
    """Whether the line is the page's date stamp near the top, taken if so (a site banner's
    date is chrome, not taken)."""
    line = lines[index]
    if credits.published is None and index < 6 and len(line.split()) <= 12:
        stamp = date_in_line(line)
        short = len(line.split()) <= STAMP_WORDS or stamp_words(line) <= STAMP_WORDS
        issued = issued_stamp(line)  # a credit line: "(Source: ...; issued Sept. 11, 2019)"
        if issued:
            stamp = issued
        if stamp and (_is_chrome(line) or short or issued):
            if is_banner(lines, index):
                return True
            credits.published = stamp
            return True
    return False


def _glued_date(lines: list[str], credits: _Credits) -> None:
    """A first line that starts with a date written without spaces: the date taken, the
    rest of the line kept."""
    for index, line in enumerate(lines[:3]):
        found = glued_stamp(line) if credits.published is None else None
        if found:
            credits.published, lines[index] = found
            return


def _dotted_date(lines: list[str], credits: _Credits) -> None:
    """One of the first lines as scraped (under a headline, a section, a byline) that starts
    with a dotted day-first date: the date taken, the rest of the line kept. Read before the
    lines are joined into paragraphs, which would bury the stamp mid-line."""
    filled = [i for i, line in enumerate(lines) if line.strip()][:5]
    for index in filled if credits.published is None else ():
        found = dotted_stamp(lines[index].strip())
        if found:
            credits.published, lines[index] = found
            return


def _classify_lines(lines: list[str], credits: _Credits) -> list[str]:
    """The content lines: credits, date stamps and site chrome taken out."""
    content: list[str] = []
    skip_next = False
    for index, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if re.match(r"^published by:?$", line, re.I):
            nxt = lines[index + 1] if index + 1 < len(lines) else ""
            if nxt and len(nxt.split()) <= 4:
                credits.first(*credit(nxt))
                skip_next = True
            continue
        if _credit_line(lines, index, credits) or _date_line(lines, index, credits):
            continue
        if not _is_chrome(line):
            content.append(line)
    return content


def _trim_tail(content: list[str], credits: _Credits) -> list[str]:
    """Without the chrome at the end: an agency acronym, the site's name, trailing headlines."""
    # A last line that is only an agency acronym ("MENA": the agency) or the site's name
    # ("News.Az"): chrome either way.
    while content and len(content[-1].split()) <= 3 and not _SENTENCE_TERMINAL.search(content[-1]):
        tail = content[-1]
        code, site = re.fullmatch(r"[A-Z]{2,8}", tail), re.search(r"\w\.\w", tail)
        if not code and not site and len(content) > 1:
            break
        if code:
            credits.agency = credits.agency or wire(tail)
        content.pop()
    return _drop_trailing_headlines(content)


def _pick_title(content: list[str], url: str | None) -> tuple[str | None, list[str]]:
    """The headline, and the content without it (or a repeat of it just below)."""
    title_index = _choose_title(content, url)
    if title_index is None:
        return None, content
    title = re.sub(
        r"^(?:breaking|exclusive|update)\s*[|:–-]\s*", "", content[title_index], flags=re.I
    )
    rest = content[title_index + 1 :]
    while rest and fold(rest[0]) == fold(content[title_index]):
        rest = rest[1:]
    return title, content[:title_index] + rest


def _outlet(footer: list[str], url: str | None) -> tuple[str | None, str | None]:
    """The outlet as the page names itself; the url's domain only when it does not."""
    handle = next((m.group(1) for line in footer for m in _HANDLE.finditer(line)), None)
    source_name, source_domain = source_from_url(url)
    if handle:
        source_name = source_from_handle(handle)
    return source_name, source_domain


def _published(stated: PartialDate | None, in_url: PartialDate | None) -> PartialDate | None:
    """The page's own date; the url's where the page gives none, or gives the same month or
    year less precisely (a " date 2019-10" header on a .../2019/10/22/... url)."""
    if stated is None:
        return in_url
    if in_url is not None and _finer(in_url, stated) and in_url.iso().startswith(stated.iso()):
        return in_url
    return stated


def _finer(a: PartialDate, b: PartialDate) -> bool:
    order = {DatePrecision.year: 0, DatePrecision.month: 1, DatePrecision.day: 2}
    return order[a.precision] > order[b.precision]


def parse_page(text: str, *, url: str | None = None, language: str | None = None) -> ParsedPage:
    """Read one raw page into its metadata and clean body."""
    lines = normalize_body(text).split("\n")
    credits = _Credits()
    _read_header(lines, credits)
    lines, footer = _split_footer(lines)
    _dotted_date(lines, credits)
    lines = _cut_boilerplate(_drop_captions(_blocks(lines)))
    _glued_date(lines, credits)
    content = _trim_tail(_classify_lines(lines, credits), credits)
    title, content = _pick_title(content, url)

    agency = credits.agency or wire(_agency(content))  # a dateline's wire is never a person
    # "contractor.Under the deal": a scraper dropped the space after a full stop
    body = _GLUED_SENTENCES.sub(". ", "\n\n".join(content))
    published = _published(credits.published, url_date(url))
    source_name, source_domain = _outlet(footer, url)
    derived = _derive_title(body) if title is None else None
    return ParsedPage(
        title=title or derived,
        title_is_derived=title is None and derived is not None,
        author=credits.author,
        agency=agency,
        published=published,
        source_name=source_name,
        source_domain=source_domain,
        language=detect_language(((title or "") + "\n" + body).strip(), declared=language),
        body=body,
    )
