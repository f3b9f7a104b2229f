"""Dates in press texts: find them, and resolve them to calendar dates with precision and basis.

A date is `stated` when its own words give day (or month) and year ("On April 20, 2022"); it
is `inferred`, with the reasoning spelled out, when the year or the day comes from elsewhere:
the publication date, the dateline, or a clue in the text ("thus far in 2018", "the 20th
anniversary of the Treaty of 2005", "yesterday and today").

Hand-written patterns rather than dateparser: the extractor needs the exact character span of
each expression, ranges and relative phrases resolved against a reference date it chooses, and
a reason for each inference; dateparser gives a datetime for a whole string and by default
takes a missing year from the current date, which an import must never do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MONTH = (
    r"(?P<{}>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
DASH = r"\s*(?:-|–|—|to|and|until|till)\s*"
DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<{}>(?:19|20)\d\d)"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "fifteenth": 15,
    "twentieth": 20,
    "twenty-fifth": 25,
    "thirtieth": 30,
    "fiftieth": 50,
}
SEASONS = ("spring", "summer", "fall", "autumn", "winter")


def _m(name: str) -> str:
    return MONTH.format(name)


def _d(name: str) -> str:
    return DAY.format(name)


def _y(name: str) -> str:
    return YEAR.format(name)


# Most specific first: a shorter pattern never claims part of a longer expression.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE if kind.startswith("rel") else 0))
    for kind, pattern in (
        ("iso", r"\b(?P<y>(?:19|20)\d\d)-(?P<mo>[01]\d)-(?P<d>[0-3]\d)\b"),
        ("dotted", r"\b(?P<d>[0-3]?\d)\.(?P<mo>[01]?\d)\.(?P<y>(?:19|20)\d\d)\b"),
        (
            "range_dm_y",
            rf"\b{_d('d')}{DASH}{_d('d2')}\s+{_m('m')}(?:,?\s+{_y('y')})?\b",
        ),
        (
            "range_md_y",
            rf"\b{_m('m')}\s+{_d('d')}{DASH}{_d('d2')}(?:,?\s+{_y('y')})?\b",
        ),
        ("md_y", rf"\b{_m('m')}\s+{_d('d')}(?:,?\s+{_y('y')})?(?![\d,]*\d)"),
        ("dm_y", rf"\b{_d('d')}\s+(?:of\s+)?{_m('m')}(?:,?\s+{_y('y')})?\b"),
        ("season_y", r"\b(?P<s>spring|summer|fall|autumn|winter)\s+of\s+(?P<y>(?:19|20)\d\d)\b"),
        ("m_y", rf"\b{_m('m')}\s+(?:of\s+)?{_y('y')}\b"),
        (
            "rel_span",
            r"\b(?:both\s+)?yesterday\s+and\s+today\b|\b(?:both\s+)?today\s+and\s+tomorrow\b",
        ),
        ("rel_day", r"\b(?:yesterday|today|tomorrow|tonight)(?:['’]s)?\b"),
        (
            "rel_weekday",
            r"\b(?:on\s+|last\s+|this\s+|next\s+)?(?P<w>" + "|".join(WEEKDAYS) + r")\b",
        ),
        ("rel_year", r"\b(?P<r>last|this|next)\s+year\b|\bthe\s+year\s+before(?:\s+last)?\b"),
        (
            "m_only",
            rf"\b(?P<r>[Ll]ast|[Nn]ext|[Tt]his|in|[Ii]n\s+early|[Ii]n\s+late|since)?\s*{_m('m')}\b",
        ),
        ("y_only", r"\b(?:in|since|of|by)\s+(?P<y>(?:19|20)\d\d)\b"),
    )
)

FUTURE_CUES = re.compile(
    r"\b(?:will|shall|upcoming|forthcoming|next|planned|scheduled|is to|are to|to be held|"
    r"expected|intends?|going to|tomorrow)\b",
    re.IGNORECASE,
)
PAST_CUES = re.compile(
    r"\b(?:last|ago|was|were|had|recently|held|signed|took place|previous|earlier)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date expression as found, before resolution."""

    kind: str
    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    day2: int | None = None
    extra: str = ""


@dataclass(frozen=True)
class DateValue:
    """A resolved date or range. `basis` is `stated` when the quoted expression itself gives
    the date at its precision with the year, else `inferred` with `reasoning`."""

    start: dt.date
    end: dt.date | None = None
    precision: str = "day"
    basis: str = "stated"
    reasoning: str = ""
    text: str = ""
    offset: int = 0  # where `text` starts in the article

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "precision": self.precision,
            "basis": self.basis,
            "reasoning": self.reasoning,
            "text": self.text,
            "offset": self.offset,
        }


@dataclass(frozen=True)
class Reference:
    """The date the text speaks from ('today'), and a year for dates that omit it."""

    date: dt.date | None = None
    year: int | None = None
    reasoning: str = ""
    stated: bool = False
    clues: tuple[str, ...] = field(default_factory=tuple)


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Every date expression in text[start:end], longest first where they overlap."""
    end = len(text) if end is None else end
    segment = text[start:end]
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(segment):
            s, e = match.start() + start, match.end() + start
            if text[s:e].strip() == "":
                continue
            # trim leading spaces of optional prefixes
            while text[s].isspace():
                s += 1
            if any(s < te and ts < e for ts, te in taken):
                continue
            mention = _mention(kind, match, s, e, text)
            if mention is not None:
                found.append(mention)
                taken.append((s, e))
    return sorted(found, key=lambda m: m.start)


def _month(value: str | None) -> int | None:
    if not value:
        return None
    return MONTHS.get(value.lower().rstrip("."))


def _mention(kind: str, match: re.Match[str], s: int, e: int, text: str) -> DateMention | None:
    groups = match.groupdict()

    def num(name: str) -> int | None:
        value = groups.get(name)
        return int(value) if value else None

    if kind in ("iso", "dotted"):
        month = num("mo")
        if not month or month > 12:
            return None
        return DateMention(kind, s, e, text[s:e], num("y"), month, num("d"))
    if kind.startswith("range"):
        day, day2 = num("d"), num("d2")
        if not day or not day2 or day2 <= day or day2 > 31:
            return None
        return DateMention("range", s, e, text[s:e], num("y"), _month(groups["m"]), day, day2)
    if kind in ("md_y", "dm_y"):
        day = num("d")
        if not day or day > 31:
            return None
        return DateMention("day", s, e, text[s:e], num("y"), _month(groups["m"]), day)
    if kind == "season_y":
        return DateMention("season", s, e, text[s:e], num("y"), extra=groups["s"].lower())
    if kind == "m_y":
        return DateMention("month", s, e, text[s:e], num("y"), _month(groups["m"]))
    if kind == "m_only":
        word = groups["m"]
        # "May" the verb and "March" the noun: only a capitalised month name with a cue counts
        if not word[0].isupper():
            return None
        if word.lower() in ("may", "march") and not groups.get("r"):
            return None
        cue = (groups.get("r") or "").lower()
        return DateMention("month", s, e, text[s:e], None, _month(word), extra=cue)
    if kind == "y_only":
        return DateMention("year", s, e, text[s:e], num("y"))
    if kind == "rel_span":
        return DateMention("span", s, e, text[s:e], extra=text[s:e].lower())
    if kind == "rel_day":
        word = re.sub(r"['’]s$", "", text[s:e].lower())
        return DateMention("relday", s, e, text[s:e], extra=word)
    if kind == "rel_weekday":
        return DateMention("weekday", s, e, text[s:e], extra=groups["w"].lower())
    if kind == "rel_year":
        return DateMention("relyear", s, e, text[s:e], extra=text[s:e].lower())
    return None


# -- the reference date ------------------------------------------------------------------

ANNIVERSARY = re.compile(
    r"\b(?P<n>\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+of\s+(?P<what>[^.;]{3,160}?)"
    r"(?:\s+(?:of|in|signed in|from|concluded in)\s+(?P<y>(?:19|20)\d\d)\b|(?=[.,;]|$))"
)
CURRENT_YEAR = re.compile(
    r"\b(?:thus far|so far|since the (?:beginning|start) of|earlier this year,?|this year,?|"
    r"in the first (?:\w+ )?(?:months?|quarters?|half) of)\s+(?:in\s+)?(?P<y>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def year_clues(
    text: str, known_year: Callable[[str], int | None] | None = None
) -> list[tuple[int, str, int, int]]:
    """Years the text is written in, from its own words: (year, reasoning, start, end)."""
    clues = []
    for match in CURRENT_YEAR.finditer(text):
        year = int(match.group("y"))
        clues.append(
            (
                year,
                f"the text speaks of “{match.group(0)}”, so it was written in {year}",
                match.start(),
                match.end(),
            )
        )
    for match in ANNIVERSARY.finditer(text):
        n = int(match.group("n"))
        if match.group("y"):
            base = int(match.group("y"))
            source = f"of {base}"
        elif known_year is not None:
            base = known_year(match.group("what"))
            source = "known in the database as dated"
            if base is None:
                continue
            source = f"{source} {base}"
        else:
            continue
        clues.append(
            (
                base + n,
                f"the text marks the {n}th anniversary of {match.group('what').strip()} "
                f"({source}), so it speaks in {base + n}",
                match.start(),
                match.end(),
            )
        )
    return clues


def parse_dateline(dateline: str) -> DateMention | None:
    for mention in find_dates(dateline):
        if mention.kind in ("day", "range") and mention.month:
            return mention
    return None


def reference(
    text: str,
    *,
    published: dt.date | None = None,
    dateline: str | None = None,
    known_year: Callable[[str], int | None] | None = None,
) -> Reference:
    """The day the text speaks from, and the year of its undated dates."""
    clues = year_clues(text, known_year)
    clue_texts = tuple(reason for _, reason, _, _ in clues)
    clue_year = clues[0][0] if clues else None
    clue_reason = clues[0][1] if clues else ""
    mention = parse_dateline(dateline) if dateline else None
    if mention is not None:
        if mention.year:
            day = _safe_date(mention.year, mention.month, mention.day)
            return Reference(day, mention.year, f"the dateline “{dateline}”", True, clue_texts)
        if published is not None:
            year = published.year
            day = _safe_date(year, mention.month, mention.day)
            if day and day > published + dt.timedelta(days=2):
                day = _safe_date(year - 1, mention.month, mention.day)
            reasoning = (
                f"the dateline “{dateline}”, in the year of the publication date "
                f"({published.isoformat()})"
            )
            return Reference(day, day.year if day else year, reasoning, False, clue_texts)
        if clue_year:
            day = _safe_date(clue_year, mention.month, mention.day)
            reasoning = f"the dateline “{dateline}”, in {clue_year} ({clue_reason})"
            return Reference(day, clue_year, reasoning, False, clue_texts)
    if published is not None:
        return Reference(
            published,
            published.year,
            f"the publication date {published.isoformat()}",
            True,
            clue_texts,
        )
    if clue_year:
        return Reference(None, clue_year, clue_reason, False, clue_texts)
    return Reference(None, None, "", False, clue_texts)


def _safe_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if not year or not month:
        return None
    try:
        return dt.date(year, month, day or 1)
    except ValueError:
        return None


def tense(sentence: str) -> str:
    """'future', 'past' or '' from the words of the sentence around a date."""
    future = bool(FUTURE_CUES.search(sentence))
    past = bool(PAST_CUES.search(sentence))
    if future and not past:
        return "future"
    if past and not future:
        return "past"
    return ""


def _pick_year(month: int, day: int | None, ref: Reference, when: str) -> tuple[int | None, str]:
    """The year of a day-and-month (or month) date that omits it."""
    if ref.date is None:
        if ref.year:
            return ref.year, f"the text omits the year: {ref.reasoning}"
        return None, ""
    base = ref.date
    candidates = [
        d
        for d in (_safe_date(y, month, day) for y in (base.year - 1, base.year, base.year + 1))
        if d is not None
    ]
    if day is None:
        # a month: 'last November' is before the reference month, 'next' after it
        current = dt.date(base.year, base.month, 1)
        if when == "past":
            chosen = max((d for d in candidates if d < current), default=None)
        elif when == "future":
            chosen = min((d for d in candidates if d > current), default=None)
        else:
            chosen = min(candidates, key=lambda d: abs((d - current).days))
        if chosen == current and when == "":
            chosen = current
    elif when == "past":
        chosen = max((d for d in candidates if d <= base), default=None)
    elif when == "future":
        chosen = min((d for d in candidates if d >= base), default=None)
    else:
        chosen = min(candidates, key=lambda d: abs((d - base).days))
    if chosen is None:
        return None, ""
    where = {"past": "the last", "future": "the next", "": "the nearest"}[when]
    reasoning = f"the text omits the year: {where} such date counted from {ref.reasoning}"
    return chosen.year, reasoning


def resolve(mention: DateMention, ref: Reference, sentence: str = "") -> DateValue | None:
    """The calendar date of a mention, or None when nothing fixes it."""
    text = mention.text
    when = tense(sentence)
    if mention.kind in ("iso", "dotted", "day", "range"):
        if mention.year:
            start = _safe_date(mention.year, mention.month, mention.day)
            if start is None:
                return None
            end = _safe_date(mention.year, mention.month, mention.day2) if mention.day2 else None
            return DateValue(start, end, "day", "stated", "", text, mention.start)
        year, reasoning = _pick_year(mention.month or 1, mention.day, ref, when)
        if year is None:
            return None
        start = _safe_date(year, mention.month, mention.day)
        if start is None:
            return None
        end = _safe_date(year, mention.month, mention.day2) if mention.day2 else None
        return DateValue(start, end, "day", "inferred", reasoning, text, mention.start)
    if mention.kind == "month":
        if mention.year:
            start = _safe_date(mention.year, mention.month, 1)
            return DateValue(start, None, "month", "stated", "", text, mention.start)
        cue = mention.extra
        if cue == "last" or cue == "since":
            when = "past"
        elif cue == "next":
            when = "future"
        year, reasoning = _pick_year(mention.month or 1, None, ref, when)
        if year is None:
            return None
        start = _safe_date(year, mention.month, 1)
        return DateValue(start, None, "month", "inferred", reasoning, text, mention.start)
    if mention.kind in ("season", "year"):
        start = dt.date(mention.year, 1, 1)
        return DateValue(start, None, "year", "stated", "", text, mention.start)
    if ref.date is None:
        return None
    base = ref.date
    if mention.kind == "span":
        if "yesterday" in mention.extra:
            start, end = base - dt.timedelta(days=1), base
        else:
            start, end = base, base + dt.timedelta(days=1)
        reasoning = f"“{text}” counted from {base.isoformat()}, {ref.reasoning}"
        return DateValue(start, end, "day", "inferred", reasoning, text, mention.start)
    if mention.kind == "relday":
        shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[mention.extra]
        day = base + dt.timedelta(days=shift)
        reasoning = f"“{text}” counted from {base.isoformat()}, {ref.reasoning}"
        return DateValue(day, None, "day", "inferred", reasoning, text, mention.start)
    if mention.kind == "weekday":
        target = WEEKDAYS.index(mention.extra)
        lowered = text.lower()
        if lowered.startswith("next"):
            delta = (target - base.weekday()) % 7 or 7
        elif lowered.startswith("this") or when == "future":
            delta = (target - base.weekday()) % 7
        else:
            delta = -((base.weekday() - target) % 7)
        day = base + dt.timedelta(days=delta)
        reasoning = (
            f"the {mention.extra.capitalize()} nearest {base.isoformat()} "
            f"(a {calendar.day_name[base.weekday()]}), {ref.reasoning}"
        )
        return DateValue(day, None, "day", "inferred", reasoning, text, mention.start)
    if mention.kind == "relyear":
        if "before" in mention.extra:
            shift = -3 if "last" in mention.extra else -2
        else:
            shift = {"last": -1, "this": 0, "next": 1}[mention.extra.split()[0]]
        year = base.year + shift
        reasoning = f"“{text}” counted from {base.isoformat()}, {ref.reasoning}"
        return DateValue(
            dt.date(year, 1, 1), None, "year", "inferred", reasoning, text, mention.start
        )
    return None


def resolve_all(
    mentions: Iterable[DateMention], ref: Reference, sentence: str = ""
) -> list[DateValue]:
    return [value for m in mentions if (value := resolve(m, ref, sentence)) is not None]
