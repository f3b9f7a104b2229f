"""What may be shown of a source whose licence forbids republishing its text: the cited
passages, each with a sentence of context on either side, and nothing else.

A press text is someone else's work; quoting it to support a fact is fair, reprinting it
whole is not (`Source.text_use`, "quotes only" by default). The excerpts keep the offsets of
the original, so a quote's `start`/`end` still locate it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from records.models import Citation, Source, TextUse

# Where a sentence ends: after . ! ? or … (and a closing quote or bracket), before a space;
# or at a line break.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+|\n+")
# Sentences of context on each side of a passage.
CONTEXT_SENTENCES = 1


def sentence_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in SENTENCE_END.finditer(text))]


def windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each stretch to show: every span widened to whole sentences plus
    CONTEXT_SENTENCES on each side; overlapping or touching stretches merged."""
    starts = sentence_starts(text)
    bounds = [*starts, len(text)]
    widened = []
    for start, end in sorted(spans):
        first = max(i for i, s in enumerate(starts) if s <= start)
        last = max(i for i, s in enumerate(starts) if s < max(end, start + 1))
        begin = starts[max(first - CONTEXT_SENTENCES, 0)]
        finish = bounds[min(last + 1 + CONTEXT_SENTENCES, len(bounds) - 1)]
        widened.append((begin, finish))
    merged: list[tuple[int, int]] = []
    for begin, finish in widened:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return [(begin, len(text[:finish].rstrip())) for begin, finish in merged]


def excerpts(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    return [
        {"start": begin, "end": finish, "text": text[begin:finish]}
        for begin, finish in windows(text, spans)
    ]


def visible_spans(source_ids: list[int], drafts: bool) -> dict[int, list[tuple[int, int]]]:
    """Each source's cited (start, end), counting only quotes for records the viewer may see
    (a draft record's quote would show what is not published yet)."""
    rows = Citation.objects.filter(source__in=source_ids).values_list(
        "source_id", "content_type_id", "object_id", "start", "end"
    )
    by_type: dict[int, set[int]] = defaultdict(set)
    rows = list(rows)
    for _, content_type_id, object_id, _, _ in rows:
        by_type[content_type_id].add(object_id)
    visible: dict[int, set[int]] = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            visible[content_type_id] = set()
            continue
        objects = model._default_manager.filter(pk__in=ids)
        if hasattr(objects, "visible_to"):
            objects = objects.visible_to(drafts)
        visible[content_type_id] = set(objects.values_list("pk", flat=True))
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for source_id, content_type_id, object_id, start, end in rows:
        if object_id in visible[content_type_id]:
            spans[source_id].append((start, end))
    return spans


def shown_texts(source_ids: list[int], drafts: bool) -> dict[int, dict]:
    """{id: {"text": the whole text or "", "excerpts": [...]}} for each source."""
    spans = visible_spans(source_ids, drafts)
    found = {}
    for pk, text, use in Source.objects.filter(pk__in=source_ids).values_list(
        "pk", "text", "text_use"
    ):
        found[pk] = {
            "text": text if use == TextUse.FULL else "",
            "excerpts": excerpts(text, spans.get(pk, [])),
        }
    return found
