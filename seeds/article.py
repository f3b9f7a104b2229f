"""An article file as the import assistant reads it: a .txt as it is, a saved web page through
trafilatura (the main text without menus, related links and footers, and the page's metadata:
title, site name, publication date, canonical URL, author). Plain functions, no ORM."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePath

import trafilatura

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}


class ArticleError(ValueError):
    """The file cannot be read as an article; the message says why, for the analyst."""


@dataclass(frozen=True)
class Article:
    text: str
    title: str = ""
    publisher: str = ""
    published_on: dt.date | None = None
    url: str = ""
    author: str = ""


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = "The file is not UTF-8 text; save it as UTF-8 and try again."
        raise ArticleError(message) from error


def _normal(text: str) -> str:
    """Unix line ends, no trailing spaces, at most one blank line between paragraphs."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def read_text(data: bytes | str) -> Article:
    text = _normal(_decode(data))
    if not text.strip():
        raise ArticleError("The text is empty.")
    return Article(text=text, title=first_line(text)[:500])


def read_html(data: bytes | str) -> Article:
    page = trafilatura.bare_extraction(
        _decode(data),
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if page is None or not (page.text or "").strip():
        raise ArticleError("No article text was found in this web page.")
    # trafilatura puts one paragraph on a line; a blank line between them reads like the seeds.
    text = _normal("\n\n".join(p for p in page.text.split("\n") if p.strip()))
    published = None
    if page.date:
        try:
            published = dt.date.fromisoformat(page.date[:10])
        except ValueError:
            published = None
    return Article(
        text=text,
        title=(page.title or first_line(text))[:500],
        publisher=(page.sitename or page.hostname or "")[:200],
        published_on=published,
        url=page.url or "",
        author=(page.author or "")[:200],
    )


def read_article(data: bytes | str, filename: str) -> Article:
    suffix = PurePath(filename).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return read_html(data)
    if suffix in TEXT_SUFFIXES:
        return read_text(data)
    raise ArticleError(f"Give a .txt or a saved web page (.html), not “{suffix or filename}”.")
