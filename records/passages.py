"""Pure text helpers for the source editor: cited spans, uncited sentences (why a quote
is not found is records/quotes.py).

Strings in, dataclasses out; no ORM, so they are tested without a database.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Cite = TypeVar("Cite")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    key: int


@dataclass(frozen=True)
class Segment:
    """A stretch of text covered by the same citations (`keys`, empty when uncited)."""

    text: str
    keys: tuple[int, ...]
    ending: tuple[int, ...]  # citations whose quote ends with this segment


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cut `text` at every citation boundary; overlapping quotes share segments."""
    valid = [span for span in spans if 0 <= span.start < span.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    result = []
    for start, end in itertools.pairwise(cuts):
        keys = tuple(sorted(s.key for s in valid if s.start <= start and end <= s.end))
        ending = tuple(sorted(s.key for s in valid if s.end == end))
        result.append(Segment(text[start:end], keys, ending))
    return result


SENTENCE_END = re.compile(r"[.!?…]+[\"”»’)]*(?=\s|$)")


def sentences(text: str) -> list[Passage]:
    """Sentences, paragraph by paragraph; a line without a full stop counts as one."""
    result = []
    for line in re.finditer(r"[^\n]+", text):
        position = line.start()
        pieces = [*SENTENCE_END.finditer(line.group()), None]
        begin = 0
        for match in pieces:
            stop = match.end() if match is not None else len(line.group())
            raw = line.group()[begin:stop]
            stripped = raw.strip()
            if stripped:
                offset = position + begin + (len(raw) - len(raw.lstrip()))
                result.append(Passage(offset, offset + len(stripped), stripped))
            begin = stop
            if match is None:
                break
    return result


def uncited_sentences(text: str, spans: list[Span]) -> list[Passage]:
    """Sentences that no citation touches: what in the text is still to be read for facts."""
    return [
        sentence
        for sentence in sentences(text)
        if not any(span.start < sentence.end and sentence.start < span.end for span in spans)
    ]


@dataclass
class Marked(Generic[Cite]):
    """A stretch of a text for the public source page: plain, or cited by `citations`."""

    text: str
    citations: list[Cite] = field(default_factory=list)

    @property
    def is_cited(self) -> bool:
        return bool(self.citations)


def marked(text: str, spans: list[tuple[int, int, Cite]]) -> list[Marked[Cite]]:
    """The text as plain and cited stretches for marking in place: quotes that overlap
    (nested or crossing passages) form one stretch listing every citation it covers, so the
    markup never has to nest or cross. `spans` are (start, end, citation); offsets outside the
    text are clipped, empty spans ignored. Built on `segments()`, which cuts at every quote
    boundary: consecutive pieces that share a quote are one stretch."""
    clipped = sorted(
        (
            (max(start, 0), min(end, len(text)), cite)
            for start, end, cite in spans
            if min(end, len(text)) > max(start, 0)
        ),
        key=lambda span: (span[0], span[1]),
    )
    pieces = segments(text, [Span(start, end, key) for key, (start, end, _) in enumerate(clipped)])
    stretches: list[tuple[str, set[int]]] = []
    for piece in pieces:
        keys = set(piece.keys)
        if keys and stretches and keys & stretches[-1][1]:
            text_so_far, covered = stretches[-1]
            stretches[-1] = (text_so_far + piece.text, covered | keys)
        else:
            stretches.append((piece.text, keys))
    # A stretch lists its citations in the order of their quotes (start, then end).
    return [Marked(part, [clipped[key][2] for key in sorted(keys)]) for part, keys in stretches]
