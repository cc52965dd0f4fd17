"""Clean scraped article text: drop adverts, "STORIES YOU MAY LIKE", reference lists and
runs of unrelated headlines; keep title, date, source and the article body.

The cleaner works on whole lines, so every sentence it keeps is a verbatim
substring of the input (evidence quotes stay verbatim in both the raw and the
cleaned text).

Rules (in order):

1. Leading ``SOURCE: <url>`` and ``DATE: <YYYY-MM-DD|unknown>`` lines are metadata.
2. Boiler-plate lines are dropped: ``Advertisement``, ``Top Searches``, ``Image Source``,
   ``Also Read ...``, ``Updated: <date>`` (kept as the date when no ``DATE`` header),
   ``Sources: ...``, share/subscribe prompts.
3. A "related stories" heading (``STORIES YOU MAY LIKE``, ``Also read``, ``Trending``...)
   drops itself and the headline-like lines that follow it.
4. A ``References:`` heading drops itself and the ``[n] ...`` lines that follow.
5. A run of three or more consecutive headline-like lines (short, Title Case, no final
   full stop) is a list of unrelated headlines and is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from critmin.domain.news.periods import parse_date

_BOILER = re.compile(
    r"^\s*(?:advertisement|ad|sponsored|top searches|trending( now| topics)?|image source\s*:.*|photo\s*:.*|"
    r"image\s*:.*|(?:also|must) read\b.*|read (?:more|also)\b.*|subscribe\b.*|sign up\b.*|share (?:this|on)\b.*|"
    r"follow us\b.*|click here\b.*|(?:last )?updated\s*:.*|published\s*(?:on)?\s*:.*|first published\b.*|"
    r"sources?\s*:.*|tags?\s*:.*|download the app\b.*|watch\s*:.*|listen to this article.*|"
    r"\(?this story has not been edited\b.*|©.*|copyright\b.*)\s*$",
    re.I,
)
_RELATED = re.compile(
    r"^\s*(?:stories you may like|you may also like|recommended(?: stories| for you)?|"
    r"related (?:stories|news|articles)|more from\b.*|more stories|latest news|"
    r"most (?:read|popular)|trending (?:now|stories)|also read)\s*:?\s*$",
    re.I,
)
_REFERENCES = re.compile(r"^\s*(?:references|bibliography|notes|citations)\s*:?\s*$", re.I)
_REF_LINE = re.compile(r"^\s*\[\d+\]\s")
_META = re.compile(r"^\s*(SOURCE|DATE|TITLE)\s*:\s*(.*?)\s*$")
_DATE_LINE = re.compile(r"^\s*(?:(?:last )?updated|published(?: on)?)\s*:?\s*(.+)$", re.I)


@dataclass(frozen=True)
class CleanArticle:
    """An article after cleaning.

    ``text`` keeps the body lines verbatim (paragraphs separated by newlines);
    ``removed`` lists the dropped lines, for audit.
    """

    article_id: str
    text: str
    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    removed: tuple[str, ...] = field(default=())

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n") if p.strip()]


def is_headline_like(line: str) -> bool:
    """Short Title Case line without a final full stop (a headline, not a sentence or bullet)."""
    s = line.strip()
    if not s or s[0] in "-*•–" or len(s) > 160:
        return False
    if s[-1] in '.!?:;"”)':
        return False
    words = re.findall(r"[A-Za-z][\w’'.-]*", s)
    if len(words) < 3 or len(words) > 22:
        return False
    long_words = [w for w in words if len(w) > 3]
    if not long_words:
        return False
    caps = sum(1 for w in long_words if w[0].isupper())
    return caps / len(long_words) >= 0.6


def clean_text(raw: str, *, article_id: str, source: str | None = None, date: dt.date | None = None) -> CleanArticle:
    """Clean one scraped article (plain text).

    Parameters
    ----------
    raw : str
        The article as scraped.
    article_id : str
        Id to carry (usually the file stem).
    source, date : optional
        Known source URL and publication date; ``SOURCE:``/``DATE:`` headers in
        the text take precedence.
    """
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta: dict[str, str] = {}
    i = 0
    while i < len(lines) and (not lines[i].strip() or _META.match(lines[i])):
        m = _META.match(lines[i])
        if m:
            meta[m.group(1).upper()] = m.group(2)
        i += 1
    body = lines[i:]
    keep = [True] * len(body)
    updated_date = None
    mode = None  # "related" or "refs"
    for j, line in enumerate(body):
        s = line.strip()
        if not s:
            continue
        if mode == "refs":
            if _REF_LINE.match(s):
                keep[j] = False
                continue
            mode = None
        if mode == "related":
            if is_headline_like(s) or _BOILER.match(s) or len(s.split()) <= 3:
                keep[j] = False
                continue
            mode = None
        if _RELATED.match(s):
            keep[j], mode = False, "related"
            continue
        if _REFERENCES.match(s):
            keep[j], mode = False, "refs"
            continue
        if _REF_LINE.match(s) and j > 0 and not keep[j - 1]:
            keep[j] = False
            continue
        if _BOILER.match(s):
            dm = _DATE_LINE.match(s)
            if dm and updated_date is None:
                updated_date = parse_date(dm.group(1))
            keep[j] = False
    # runs of >= 3 headline-like lines (blank lines do not break a run)
    run: list[int] = []

    def flush():
        if len(run) >= 3:
            for k in run:
                keep[k] = False
        run.clear()

    for j, line in enumerate(body):
        if not line.strip():
            continue
        if keep[j] and is_headline_like(line):
            run.append(j)
        else:
            flush()
    flush()
    kept = [body[j].rstrip() for j in range(len(body)) if keep[j]]
    removed = tuple(body[j].strip() for j in range(len(body)) if not keep[j] and body[j].strip())
    # collapse runs of blank lines
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")
    title = meta.get("TITLE")
    if not title:
        first = next((ln.strip() for ln in kept if ln.strip()), "")
        if first and (first[-1] not in ".!?" and len(first.split()) <= 25):
            title = first
        elif first:
            sent = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
            title = sent if len(sent) <= 200 else sent[:197] + "..."
    pub = date
    if meta.get("DATE") and meta["DATE"].lower() != "unknown":
        pub = parse_date(meta["DATE"]) or pub
    if pub is None:
        pub = updated_date
    return CleanArticle(
        article_id=article_id,
        text=text,
        title=title or None,
        date=pub,
        source=meta.get("SOURCE") or source,
        removed=removed,
    )


def clean_html(html: str, *, article_id: str, source: str | None = None) -> CleanArticle:
    """Extract the main text of an HTML page with ``trafilatura``, then clean it as text.

    Title, date and URL come from the page metadata when present.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None:
        return CleanArticle(article_id=article_id, text="", source=source)
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    text = get("text") or ""
    pub = parse_date(get("date") or "") if get("date") else None
    art = clean_text(text, article_id=article_id, source=source or get("url"), date=pub)
    title = get("title") or art.title
    return CleanArticle(
        article_id=article_id, text=art.text, title=title, date=art.date, source=art.source, removed=art.removed
    )
