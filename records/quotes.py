"""Why a typed quote is not in its source, and what the source says instead.

A quote is stored verbatim, so one look-alike letter (a Cyrillic "с" inside a Latin word, as
agency texts have), a curly apostrophe, a dash or a no-break space makes a hand-typed quote
"not found". `check_quote()` finds the passage of the source closest to the quote, says where
and why the two diverge, and whether the difference is only typographic (then the source's
exact text can simply replace the typed one). Strings in, dataclasses out: no ORM.

How the closest passage is found: both texts are folded (whitespace and invisible characters
dropped, every dash and every quote mark made one, look-alike letters of other alphabets
mapped to the Latin letter they imitate, Unicode compatibility forms and capitals unified).
An occurrence of the folded quote in the folded source is a typographic match; otherwise
RapidFuzz aligns the folded quote with the best-matching stretch of the source, and a word
diff (difflib) trims it to the words the two share and names the missing, extra and
different words.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from confusable_homoglyphs import categories, confusables
from rapidfuzz import fuzz

# Fewer words than this rarely pin down one passage or say anything by themselves ("the
# agreement", "October 21"): such a quote is refused and the analyst quotes the phrase.
MIN_QUOTE_WORDS = 3
# Below this RapidFuzz score (0-100) of the folded quote against its best stretch of the
# source, nothing in the source is taken to be "the passage meant".
MIN_SIMILARITY = 60
CONTEXT_CHARS = 40

QUOTE_MARKS = frozenset("\"'`´“”„‟«»‹›‘’‚‛ʼʹʺ′″〝〞＂＇")
# Dashes beyond Unicode's Pd category that texts use as dashes: the minus sign.
EXTRA_DASHES = frozenset("\u2212")


class Verdict(StrEnum):
    EXACT = "exact"  # found verbatim, once
    AMBIGUOUS = "ambiguous"  # found verbatim more than once: which one?
    TYPOGRAPHIC = "typographic"  # found up to dashes, quote marks, spaces, look-alikes, case
    DIFFERENT = "different"  # a close passage exists, but words differ
    NOT_FOUND = "not_found"  # nothing close
    TOO_SHORT = "too_short"  # fewer than MIN_QUOTE_WORDS words
    EMPTY = "empty"


class Difference(StrEnum):
    MISSING_WORD = "missing word"
    EXTRA_WORD = "extra word"
    OTHER_WORD = "different word"
    DASH = "dash"
    QUOTE_MARK = "quote mark"
    SPACE = "space"
    LOOKALIKE = "look-alike letter"
    INVISIBLE = "invisible character"
    CASE = "capitals"
    FORM = "character form"
    PUNCTUATION = "punctuation"


TYPOGRAPHIC = frozenset(
    {
        Difference.DASH,
        Difference.QUOTE_MARK,
        Difference.SPACE,
        Difference.LOOKALIKE,
        Difference.INVISIBLE,
        Difference.CASE,
        Difference.FORM,
    }
)


@dataclass(frozen=True)
class Divergence:
    """One place where the quote and the source's passage differ."""

    kind: Difference
    at: int  # offset in the source where the difference is
    source: str  # what the source has there ("" when the quote adds something)
    typed: str  # what the quote has there ("" when the quote leaves something out)
    # The source's word the difference is in (`inside`) or follows, to find it by eye.
    word: str = ""
    inside: bool = False

    @property
    def explanation(self) -> str:
        where = ""
        if self.word:
            where = f" in “{self.word}”" if self.inside else f" after “{self.word}”"
        if self.kind is Difference.MISSING_WORD:
            return f"the quote leaves out “{self.source}”{where}"
        if self.kind is Difference.EXTRA_WORD:
            return f"the quote adds “{self.typed}”{where}, which the source does not have"
        if self.kind is Difference.OTHER_WORD:
            return f"the source has “{self.source}” where the quote has “{self.typed}”"
        if self.kind is Difference.SPACE and not self.source:
            return f"the quote has an extra {describe(self.typed)}{where}"
        if self.kind is Difference.SPACE and not self.typed:
            return f"the quote lacks the source's {describe(self.source)}{where}"
        if self.kind is Difference.INVISIBLE:
            hidden = self.source or self.typed
            side = "source" if self.source else "quote"
            return f"the {side} has an invisible {describe(hidden)}{where}"
        reason = {
            Difference.SPACE: "different spaces",
            Difference.DASH: "a different dash",
            Difference.QUOTE_MARK: "a different quote mark or apostrophe",
            Difference.LOOKALIKE: "a look-alike letter from another alphabet",
            Difference.CASE: "different capitals",
            Difference.FORM: "another form of the same character",
            Difference.PUNCTUATION: "different punctuation",
        }[self.kind]
        return (
            f"{reason}{where}: the source has {describe(self.source)}, "
            f"the quote {describe(self.typed)}"
        )


@dataclass(frozen=True)
class Occurrence:
    """A stretch of the source, with a little of the text around it to tell it apart."""

    start: int
    end: int
    text: str
    before: str
    after: str


@dataclass(frozen=True)
class QuoteCheck:
    verdict: Verdict
    words: int
    # Verbatim occurrences (EXACT, AMBIGUOUS) or typographic matches (TYPOGRAPHIC).
    occurrences: tuple[Occurrence, ...] = ()
    # The passage of the source nearest to the quote (TYPOGRAPHIC, DIFFERENT).
    closest: Occurrence | None = None
    divergences: tuple[Divergence, ...] = ()

    @property
    def found(self) -> bool:
        return self.verdict in (Verdict.EXACT, Verdict.AMBIGUOUS)

    @property
    def fixable(self) -> bool:
        """The source's exact text can replace the typed quote: it differs only in typography."""
        return self.verdict is Verdict.TYPOGRAPHIC and self.closest is not None

    def summary(self) -> str:
        """A sentence or two for the analyst: what is wrong, and what to do."""
        if self.verdict is Verdict.EMPTY:
            return "The quote is empty."
        if self.verdict is Verdict.TOO_SHORT:
            return (
                f"A quote needs at least {MIN_QUOTE_WORDS} words, so that it points to one "
                f"passage and says something by itself; this one has {self.words}. Quote the "
                "whole phrase that states the fact."
            )
        if self.verdict is Verdict.AMBIGUOUS:
            return (
                f"The quote appears {len(self.occurrences)} times in the source; choose which "
                "occurrence you cite."
            )
        if self.verdict is Verdict.NOT_FOUND:
            return (
                "Nothing in the source is close to this quote. Check that the right source is "
                "chosen, and copy the passage from its text."
            )
        if self.closest is None:
            return ""
        reasons = "; ".join(d.explanation for d in self.divergences)
        if self.verdict is Verdict.TYPOGRAPHIC:
            return (
                f"The quote is not verbatim, but the source has it at character "
                f"{self.closest.start} with only typographic differences: {reasons}. Use the "
                "source's exact text."
            )
        return (
            f"The quote is not in the source. The closest passage, at character "
            f"{self.closest.start}, is “{self.closest.text}”; it differs: {reasons}."
        )


def describe(chars: str) -> str:
    """Characters named so that look-alikes can be told apart: “с” (Cyrillic small letter es)."""
    if not chars:
        return "nothing"
    if chars.isspace() or len(chars) > 3:
        names = ", ".join(_name(char) for char in chars[:3])
        more = "…" if len(chars) > 3 else ""
        shown = "" if chars.isspace() else f"“{chars}” "
        return f"{shown}({names}{more})"
    return f"“{chars}” ({', '.join(_name(char) for char in chars)})"


def _name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}").lower().capitalize()


def is_dash(char: str) -> bool:
    return unicodedata.category(char) == "Pd" or char in EXTRA_DASHES


def is_invisible(char: str) -> bool:
    """Zero-width spaces and joiners, soft hyphens, direction marks: format characters."""
    return unicodedata.category(char) == "Cf"


@functools.lru_cache(maxsize=4096)
def _latin_lookalike(char: str) -> str:
    """The Latin letter a letter of another alphabet imitates (Cyrillic "с" → "c"), else the
    letter itself; from the Unicode confusables data that confusable-homoglyphs ships."""
    if not char.isalpha() or categories.alias(char) in ("LATIN", "COMMON"):
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    for entry in found or ():
        for glyph in entry["homoglyphs"]:
            if len(glyph["c"]) == 1 and categories.alias(glyph["c"]) == "LATIN":
                return glyph["c"]
    return char


@functools.lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """What a character counts as when texts are compared up to typography."""
    if char.isspace() or is_invisible(char):
        return ""
    if is_dash(char):
        return "-"
    if char in QUOTE_MARKS:
        return "'"
    return unicodedata.normalize("NFKC", _latin_lookalike(char)).casefold()


def fold(text: str) -> tuple[str, list[int]]:
    """`text` folded (see the module's docstring), and for each folded character the offset
    in `text` of the character it comes from."""
    chars, origin = [], []
    for index, char in enumerate(text):
        for folded in fold_char(char):
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


def word_count(quote: str) -> int:
    return len(re.findall(r"\w+", quote))


def occurrences_of(text: str, quote: str) -> list[int]:
    """Every offset where `quote` starts verbatim, overlapping ones included (as the stored
    `occurrence` number counts them)."""
    found, start = [], text.find(quote)
    while quote and start >= 0:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def occurrence(text: str, start: int, end: int) -> Occurrence:
    before = text[max(start - CONTEXT_CHARS, 0) : start]
    after = text[end : end + CONTEXT_CHARS]
    return Occurrence(start, end, text[start:end], before, after)


def occurrence_number(text: str, start: int, end: int) -> int:
    """Which occurrence of text[start:end] begins at `start` (1 for the first)."""
    return occurrences_of(text, text[start:end]).index(start) + 1


def check_quote(text: str, quote: str, *, min_words: int = MIN_QUOTE_WORDS) -> QuoteCheck:
    """Whether `quote` is in `text` verbatim, once; if not, why not and what is closest."""
    words = word_count(quote)
    if not quote.strip():
        return QuoteCheck(Verdict.EMPTY, 0)
    if words < min_words:
        return QuoteCheck(Verdict.TOO_SHORT, words)
    exact = occurrences_of(text, quote)
    if exact:
        found = tuple(occurrence(text, start, start + len(quote)) for start in exact)
        verdict = Verdict.EXACT if len(found) == 1 else Verdict.AMBIGUOUS
        return QuoteCheck(verdict, words, occurrences=found)
    folded_text, origin = fold(text)
    folded_quote, _ = fold(quote)
    if not folded_quote:
        return QuoteCheck(Verdict.NOT_FOUND, words)
    matches = [
        occurrence(text, origin[start], origin[start + len(folded_quote) - 1] + 1)
        for start in occurrences_of(folded_text, folded_quote)
    ]
    if matches:
        closest = matches[0]
        return QuoteCheck(
            Verdict.TYPOGRAPHIC,
            words,
            occurrences=tuple(matches),
            closest=closest,
            divergences=tuple(divergences(text, closest.start, closest.end, quote)),
        )
    span = closest_span(text, folded_text, origin, quote, folded_quote)
    if span is None:
        return QuoteCheck(Verdict.NOT_FOUND, words)
    found = tuple(divergences(text, span[0], span[1], quote))
    return QuoteCheck(Verdict.DIFFERENT, words, closest=occurrence(text, *span), divergences=found)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    folded: str

    @property
    def key(self) -> str:
        """The word without the punctuation around it, so "council.”" still matches "council"."""
        return self.folded.strip("'-.,;:!?…()[]") or self.folded


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    """The words of text[start:end] (runs without whitespace), with their folded forms."""
    result = []
    for match in re.finditer(r"\S+", text[start:end]):
        folded = fold(match.group())[0]
        if folded:
            result.append(_Token(start + match.start(), start + match.end(), folded))
    return result


def closest_span(
    text: str, folded_text: str, origin: list[int], quote: str, folded_quote: str
) -> tuple[int, int] | None:
    """The source's stretch that the quote was most likely meant to copy, in whole words."""
    if not folded_text:
        return None
    alignment = fuzz.partial_ratio_alignment(folded_quote, folded_text)
    if alignment is None or alignment.score < MIN_SIMILARITY:
        return None
    # RapidFuzz aligns a window as long as the quote; a quote that leaves words out or adds
    # some belongs to a longer or shorter stretch, so look a little around it.
    margin = len(quote) // 2 + 20
    low = origin[alignment.dest_start]
    high = origin[max(alignment.dest_end - 1, alignment.dest_start)] + 1
    window = _tokens(text, max(low - margin, 0), min(high + margin, len(text)))
    # The window's edges may cut words: drop a partial first and last word.
    if window and window[0].start > 0 and not text[window[0].start - 1].isspace():
        window = window[1:]
    if window and window[-1].end < len(text) and not text[window[-1].end].isspace():
        window = window[:-1]
    typed = _tokens(quote)
    matcher = difflib.SequenceMatcher(
        None, [t.key for t in typed], [t.key for t in window], autojunk=False
    )
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    shared = sum(block.size for block in blocks)
    if blocks and shared * 2 >= len(typed):
        first, last = blocks[0], blocks[-1]
        # Words the quote has before (after) its first (last) shared word are compared with
        # the source's words just before (after) it, so a changed first or last word is seen.
        head = min(first.a, first.b)
        tail = min(len(typed) - (last.a + last.size), len(window) - (last.b + last.size))
        start, end = window[first.b - head].start, window[last.b + last.size - 1 + tail].end
    else:
        # Words split or joined differently ("Uzbekistan – Azerbaijan" for
        # "Uzbekistan–Azerbaijan"): keep RapidFuzz's stretch, widened to whole words.
        start, end = low, high
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
    # Punctuation the quote stops before (a full stop, a closing quote mark) is not part of it.
    stripped = quote.strip()
    while end > start + 1 and not text[end - 1].isalnum() and stripped[-1:].isalnum():
        end -= 1
    while start < end - 1 and not text[start].isalnum() and stripped[:1].isalnum():
        start += 1
    return start, end


def divergences(text: str, start: int, end: int, quote: str) -> list[Divergence]:
    """How `quote` differs from text[start:end]: word by word, and inside the words and
    spaces that fold alike, character by character."""
    source_words = _tokens(text, start, end)
    typed_words = _tokens(quote)
    matcher = difflib.SequenceMatcher(
        None,
        [t.key for t in source_words],
        [t.key for t in typed_words],
        autojunk=False,
    )
    found: list[Divergence] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        src, typ = source_words[i1:i2], typed_words[j1:j2]
        after = _word_before(text, source_words, i1)
        at = src[0].start if src else (source_words[i1 - 1].end if i1 else start)
        same = "".join(t.folded for t in src) == "".join(t.folded for t in typ)
        if tag == "equal" or (tag == "replace" and same):
            found += _char_divergences(
                text, src[0].start, src[-1].end, quote, typ[0].start, typ[-1].end, source_words
            )
        elif tag == "delete":
            found.append(Divergence(Difference.MISSING_WORD, at, _span(text, src), "", after))
        elif tag == "insert":
            found.append(Divergence(Difference.EXTRA_WORD, at, "", _span(quote, typ), after))
        else:
            found.append(
                Divergence(Difference.OTHER_WORD, at, _span(text, src), _span(quote, typ), after)
            )
    return found


def _span(text: str, tokens: list[_Token]) -> str:
    return text[tokens[0].start : tokens[-1].end]


def _word_before(text: str, words: list[_Token], index: int) -> str:
    return text[words[index - 1].start : words[index - 1].end] if index > 0 else ""


def _char_divergences(
    text: str,
    start: int,
    end: int,
    quote: str,
    quote_start: int,
    quote_end: int,
    words: list[_Token],
) -> list[Divergence]:
    """Typographic differences between two stretches that fold alike."""
    source_part, typed_part = text[start:end], quote[quote_start:quote_end]
    if source_part == typed_part:
        return []
    matcher = difflib.SequenceMatcher(None, source_part, typed_part, autojunk=False)
    found = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        src, typ = source_part[i1:i2], typed_part[j1:j2]
        at = start + i1
        inside = [
            w
            for w in words
            if w.start < at < w.end or (w.start == at and src and not src.isspace())
        ]
        before = inside or [w for w in words if w.end <= at]
        word = text[before[-1].start : before[-1].end] if before else ""
        found.append(Divergence(_kind(src, typ), at, src, typ, word, bool(inside)))
    return found


def _kind(source: str, typed: str) -> Difference:
    both = source + typed
    if all(is_invisible(char) for char in both):
        return Difference.INVISIBLE
    if all(char.isspace() or is_invisible(char) for char in both):
        return Difference.SPACE
    if all(is_dash(char) for char in both):
        return Difference.DASH
    if all(char in QUOTE_MARKS for char in both):
        return Difference.QUOTE_MARK
    if source.casefold() == typed.casefold():
        return Difference.CASE
    if fold(source)[0] == fold(typed)[0]:
        scripts = {categories.alias(char) for char in both if char.isalpha()}
        return Difference.LOOKALIKE if len(scripts) > 1 else Difference.FORM
    return Difference.PUNCTUATION
