"""Cut a source text into plain and cited stretches, so every quote can be marked in place.

Pure text code: offsets in, segments out; the view attaches the records and the template
escapes. Quotes may overlap (two records citing nested or crossing passages): overlapping
spans merge into one marked stretch that lists every citation it covers, so the markup never
has to nest or cross.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

Cite = TypeVar("Cite")


@dataclass
class Segment(Generic[Cite]):
    text: str
    citations: list[Cite] = field(default_factory=list)

    @property
    def is_cited(self) -> bool:
        return bool(self.citations)


def segments(text: str, spans: list[tuple[int, int, Cite]]) -> list[Segment[Cite]]:
    """`spans` are (start, end, citation); offsets outside the text are clipped, empty ignored."""
    usable = sorted(
        (
            (max(start, 0), min(end, len(text)), cite)
            for start, end, cite in spans
            if min(end, len(text)) > max(start, 0)
        ),
        key=lambda span: (span[0], span[1]),
    )
    merged: list[tuple[int, int, list[Cite]]] = []
    for start, end, cite in usable:
        if merged and start < merged[-1][1]:
            last_start, last_end, cites = merged[-1]
            merged[-1] = (last_start, max(last_end, end), [*cites, cite])
        else:
            merged.append((start, end, [cite]))

    result: list[Segment[Cite]] = []
    position = 0
    for start, end, cites in merged:
        if start > position:
            result.append(Segment(text[position:start]))
        result.append(Segment(text[start:end], cites))
        position = end
    if position < len(text):
        result.append(Segment(text[position:]))
    return result
