"""Search's text pieces, without the database: "did you mean" from the names Pacta holds, with
Cyrillic (and any other script) read in Latin letters, and the snippet of a text around the
words a query matched, those words marked.

Transliteration is anyascii's ("Минск" -> "Minsk", "Мирзиёев" -> "Mirzieev"); spelling is
RapidFuzz's similarity ratio against the words of the names, so "Mirziyoev" and "Mirzieev"
both come back as "Mirziyoyev".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import fuzz, process

# As records/search.py splits queries: runs of letters and digits.
WORD = re.compile(r"[^\W_]+")
# A word this close to a known one (0-100) is offered in its place.
SIMILAR = 75
# Shorter words are too ambiguous to correct ("of", "AZ").
SHORTEST = 4


# Where the English spelling of Russian and Central Asian names departs from anyascii's
# letter-by-letter reading: "Мирзиёев" is Mirziyoyev, "Ильхам" Ilham.
CYRILLIC = str.maketrans({"ё": "yo", "Ё": "Yo", "ь": "", "Ь": "", "ъ": "", "Ъ": ""})


def fold(text: str) -> str:
    """Latin letters, case folded: what two spellings of a name are compared as."""
    return anyascii(text.translate(CYRILLIC)).casefold()


def name_words(names: Iterable[str]) -> dict[str, str]:
    """Each word of the names, folded, with the spelling the names use ('mirziyoyev':
    'Mirziyoyev'); the first spelling met wins."""
    words: dict[str, str] = {}
    for name in names:
        for word in WORD.findall(name or ""):
            words.setdefault(fold(word), word)
    return words


@dataclass(frozen=True)
class Suggestion:
    query: str
    # The words replaced, as (typed, offered), for the page to say what changed.
    changes: tuple[tuple[str, str], ...]


def suggest(query: str, known: dict[str, str]) -> Suggestion | None:
    """The query with each word that no name begins with replaced by the closest word of
    the names (typed in another script: by its transliteration when a name has it), or None
    when nothing needs changing or nothing is close enough. Digits are left alone."""
    words = WORD.findall(query)
    if not words or not known:
        return None
    result, changes = [], []
    for word in words:
        folded = fold(word)
        if folded in known and folded != word.casefold():
            # Typed in another script: the name as Pacta spells it.
            result.append(known[folded])
            changes.append((word, known[folded]))
            continue
        if word.isdigit() or len(folded) < SHORTEST or is_known(folded, known):
            result.append(word)
            continue
        match = process.extractOne(folded, list(known), scorer=fuzz.ratio, score_cutoff=SIMILAR)
        if match is None:
            result.append(word)
            continue
        offered = known[match[0]]
        result.append(offered)
        changes.append((word, offered))
    if not changes:
        return None
    return Suggestion(" ".join(result), tuple(changes))


def is_known(folded: str, known: dict[str, str]) -> bool:
    # A query word matches any word it begins ("pharma"), as the search does.
    return folded in known or any(word.startswith(folded) for word in known)


@dataclass(frozen=True)
class Snippet:
    """A stretch of a text with the matched words marked: (text, marked) parts."""

    parts: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)

    @property
    def marked(self) -> list[str]:
        return [text for text, marked in self.parts if marked]

    def __html__(self) -> SafeString:
        return mark_safe(
            "".join(
                f"<mark>{escape(text)}</mark>" if marked else escape(text)
                for text, marked in self.parts
            )
        )

    def __str__(self) -> str:
        return self.__html__()


SNIPPET_WIDTH = 200


def snippet(
    texts: Iterable[str], words: list[str], *, width: int = SNIPPET_WIDTH
) -> Snippet | None:
    """Around the first place in `texts` where a word begins with one of `words` (folded as
    the search folds them), about `width` characters cut at word boundaries, every such word
    marked; None when no text has one."""
    wanted = [word for word in words if word]
    if not wanted:
        return None
    pattern = re.compile(
        r"(?<![^\W_])(?:" + "|".join(re.escape(word) for word in wanted) + r")[^\W_]*",
        re.IGNORECASE,
    )
    for text in texts:
        if not text:
            continue
        first = pattern.search(text)
        if first is None:
            continue
        start = max(0, first.start() - width // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first.start() else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", first.end(), end)
            end = space if space > first.end() else end
        parts: list[tuple[str, bool]] = [("…", False)] if start else []
        position = start
        for match in pattern.finditer(text, start, end):
            if match.end() > end:
                break
            parts.append((text[position : match.start()], False))
            parts.append((match.group(), True))
            position = match.end()
        parts.append((text[position:end], False))
        if end < len(text):
            parts.append(("…", False))
        return Snippet(tuple(part for part in parts if part[0]))
    return None
