"""Reading a press text: its sentences and the countries, cities, persons, organizations and
bodies it names, each with character offsets, resolved against the gazetteer.

Regular expressions compiled from the gazetteer's names rather than spaCy's PhraseMatcher: the
names are matched case-sensitively on raw character offsets (which the quotes need), a blank
spaCy pipeline would be a large dependency that tokenises "Kazakh-Azerbaijani" into pieces to be
glued back, and nothing here needs a statistical model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from seeds.importer.gazetteer import BodyEntry, Gazetteer, PersonEntry

ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "gen", "col", "prof", "u.s", "u.k", "jr"}
BOILERPLATE = re.compile(
    r"^\s*(?:related posts|related news|related articles|read also|read more|see also|"
    r"more on this topic|tags:|share this)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
ORDINALS = {
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
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
}
ORDINAL = r"(?:" + "|".join(ORDINALS) + r"|\d{1,3}(?:st|nd|rd|th))"
NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}


def ordinal_value(word: str) -> int | None:
    word = word.lower()
    if word in ORDINALS:
        return ORDINALS[word]
    match = re.match(r"(\d{1,3})(?:st|nd|rd|th)$", word)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    value: str  # ISO code, person slug, city name, organization slug or body slug
    form: str = ""  # name | alias | adjective | capital | title | anaphor
    country: str = ""
    reasoning: str = ""


def _alternation(names: list[str]) -> str:
    names = sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


class Article:
    """A text with its sentences and named things; computed once per extraction."""

    def __init__(self, text: str, gazetteer: Gazetteer):
        self.text = text
        self.gazetteer = gazetteer
        boiler = BOILERPLATE.search(text)
        # trailing "Related posts" lists are other articles' headlines, not this report
        self.limit = boiler.start() if boiler else len(text)

    # -- sentences ---------------------------------------------------------------------

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        text = self.text[: self.limit]
        spans = []
        start = 0
        boundary = re.compile(
            r"(?<=[.!?])[”\"’)]?\s+(?=[“\"‘(\-–•A-Z0-9])|\n\s*\n|\n(?=\s*[-–•]\s)"
        )
        for match in boundary.finditer(text):
            before = text[start : match.start()].rstrip()
            last = re.search(r"([\w.]+)\.$", before)
            if last and (last.group(1).lower() in ABBREVIATIONS or len(last.group(1)) == 1):
                continue
            self._add_sentence(spans, start, match.start())
            start = match.end()
        self._add_sentence(spans, start, len(text))
        # a line without end punctuation (a headline) is a sentence of its own
        result = []
        for s, e in spans:
            piece = self.text[s:e]
            offset = s
            for line in piece.split("\n"):
                if line.strip():
                    ls = offset + len(line) - len(line.lstrip())
                    le = offset + len(line.rstrip())
                    result.append((ls, le))
                offset += len(line) + 1
        return result

    def _add_sentence(self, spans: list[tuple[int, int]], start: int, end: int) -> None:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))

    def sentence_at(self, offset: int) -> tuple[int, int]:
        for s, e in self.sentences:
            if s <= offset < e:
                return s, e
        return offset, min(len(self.text), offset + 1)

    def sentence_index(self, offset: int) -> int:
        for index, (s, e) in enumerate(self.sentences):
            if s <= offset < e:
                return index
        return -1

    def sentence_text(self, offset: int) -> str:
        s, e = self.sentence_at(offset)
        return self.text[s:e]

    def in_sentence(self, mentions: list[Mention], offset: int) -> list[Mention]:
        s, e = self.sentence_at(offset)
        return [m for m in mentions if s <= m.start < e]

    # -- countries and cities ------------------------------------------------------------

    @cached_property
    def country_pattern(self) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
        lookup: dict[str, tuple[str, str]] = {}
        for country in self.gazetteer.countries:
            for name in country.names():
                lookup.setdefault(name, (country.code, "name"))
            if country.adjective:
                lookup.setdefault(country.adjective, (country.code, "adjective"))
        # 'Azerbaijan-Kazakhstan', 'Kazakh-Azerbaijani': both halves are countries
        pattern = re.compile(r"(?<!\w)(?:" + _alternation(list(lookup)) + r")(?![\w])")
        return pattern, lookup

    @cached_property
    def countries(self) -> list[Mention]:
        pattern, lookup = self.country_pattern
        found = []
        for match in pattern.finditer(self.text, 0, self.limit):
            code, form = lookup[match.group(0)]
            found.append(Mention(match.start(), match.end(), match.group(0), code, form, code))
        return found

    @cached_property
    def cities(self) -> list[Mention]:
        lookup = {}
        for city in self.gazetteer.cities:
            for name in (city.name, *city.aliases):
                lookup[name] = (city.name, city.country)
        if not lookup:
            return []
        pattern = re.compile(r"(?<!\w)(?:" + _alternation(list(lookup)) + r")(?![\w])")
        found = []
        for match in pattern.finditer(self.text, 0, self.limit):
            name, code = lookup[match.group(0)]
            found.append(Mention(match.start(), match.end(), match.group(0), name, "city", code))
        return found

    def countries_in(self, start: int, end: int) -> list[str]:
        codes = [m.value for m in self.countries if start <= m.start < end]
        codes += [m.country for m in self.cities if start <= m.start < end and m.country]
        return list(dict.fromkeys(codes))

    @cached_property
    def country_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mention in self.countries:
            counts[mention.value] = counts.get(mention.value, 0) + 1
        for mention in self.persons:
            if mention.country:
                counts[mention.country] = counts.get(mention.country, 0) + 1
        return counts

    # -- persons -------------------------------------------------------------------------

    @cached_property
    def persons(self) -> list[Mention]:
        gazetteer = self.gazetteer
        lookup: dict[str, tuple[PersonEntry, str]] = {}
        for person in gazetteer.persons:
            lookup.setdefault(person.name, (person, "name"))
            for alias in person.aliases:
                lookup.setdefault(alias, (person, "alias"))
        found: list[Mention] = []
        if lookup:
            pattern = re.compile(r"(?<![\w-])(?:" + _alternation(list(lookup)) + r")(?![\w-])")
            for match in pattern.finditer(self.text, 0, self.limit):
                person, form = lookup[match.group(0)]
                found.append(
                    Mention(
                        match.start(),
                        match.end(),
                        match.group(0),
                        person.slug,
                        form,
                        person.country,
                    )
                )
        found += self._titles(found)
        return sorted(found, key=lambda m: m.start)

    def _titles(self, named: list[Mention]) -> list[Mention]:
        """'the Kazakh President', 'President of Kazakhstan', 'Belarus President', 'the head
        of state' (the nearest head of state named before), each resolved to one person."""
        _pattern, lookup = self.country_pattern
        country_names = _alternation(list(lookup))
        role = (
            r"(?P<role>[Pp]resident|[Pp]rime [Mm]inister|PM|[Ll]eader|[Hh]ead of [Ss]tate|"
            r"[Hh]ead of [Gg]overnment|[Cc]hancellor|[Kk]ing|[Ee]mir)"
        )
        patterns = (
            rf"\b(?:the\s+|[Tt]he\s+)?(?P<c>{country_names})\s+{role}\b",
            rf"\b(?:the\s+|[Tt]he\s+)?{role}\s+of\s+(?:the\s+)?(?:Republic\s+of\s+)?(?P<c>{country_names})\b",
            rf"\b(?:the\s+|[Tt]he\s+)?{role}\s+of\s+(?:the\s+)?(?P<c>{country_names})\b",
        )
        found: list[Mention] = []
        taken = [(m.start, m.end) for m in named]
        for source in patterns:
            for match in re.finditer(source, self.text[: self.limit]):
                s, e = match.start(), match.end()
                if any(s < te and ts < e for ts, te in taken):
                    continue
                code = lookup[match.group("c")][0]
                person = self._holder(code, match.group("role").lower())
                if person is None:
                    continue
                # 'President of Uzbekistan Shavkat Mirziyoyev': the name says it already
                if any(m.value == person.slug and 0 <= m.start - e <= 2 for m in named):
                    continue
                taken.append((s, e))
                found.append(
                    Mention(
                        s,
                        e,
                        match.group(0),
                        person.slug,
                        "title",
                        person.country,
                        f"“{match.group(0)}” is the office of {person.name} in the database",
                    )
                )
        # "the head of state", "the President": the nearest head of state named before
        resolved = sorted([*named, *found], key=lambda m: m.start)
        generic = re.compile(r"\b[Tt]he\s+(?:head of state|President|leader)\b(?!\s+of\b)")
        for match in generic.finditer(self.text[: self.limit]):
            s, e = match.start(), match.end()
            if any(s < te and ts < e for ts, te in taken):
                continue
            before = [m for m in resolved if m.end <= s]
            if not before:
                continue
            previous = before[-1]
            person = self.gazetteer.person(previous.value)
            if person is None:
                continue
            found.append(
                Mention(
                    s,
                    e,
                    match.group(0),
                    person.slug,
                    "anaphor",
                    person.country,
                    f"“{match.group(0)}” taken as {person.name}, the last person named before it",
                )
            )
        return found

    def _holder(self, code: str, role: str) -> PersonEntry | None:
        wanted = {"head of state": "president", "leader": "", "pm": "prime minister"}.get(
            role, role
        )
        holders = []
        for person in self.gazetteer.persons:
            offices = [o for o in person.offices if (o.country or person.country) == code]
            if not offices:
                continue
            titles = " ".join(o.title.lower() for o in offices)
            if wanted and wanted not in titles:
                continue
            if not wanted and not re.search(r"president|prime minister|king|emir", titles):
                continue
            holders.append(person)
        if len(holders) == 1:
            return holders[0]
        # several holders of the office over time: the one the text names elsewhere
        named = {m.value for m in self._named_persons}
        current = [p for p in holders if p.slug in named]
        return current[0] if len(current) == 1 else None

    @cached_property
    def _named_persons(self) -> list[Mention]:
        names = []
        for person in self.gazetteer.persons:
            for name in (person.name, *person.aliases):
                if name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", self.text):
                    names.append(Mention(0, 0, name, person.slug))
                    break
        return names

    def persons_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.persons if start <= m.start < end]

    @cached_property
    def person_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mention in self.persons:
            counts[mention.value] = counts.get(mention.value, 0) + 1
        return counts

    # -- organizations and bodies ------------------------------------------------------

    @cached_property
    def organizations(self) -> list[Mention]:
        lookup = {}
        for org in self.gazetteer.organizations:
            for name in (org.name, *org.aliases):
                if len(name) > 2 or name.isupper():
                    lookup[name] = org
        if not lookup:
            return []
        pattern = re.compile(r"(?<![\w-])(?:" + _alternation(list(lookup)) + r")(?![\w-])")
        return [
            Mention(
                m.start(),
                m.end(),
                m.group(0),
                lookup[m.group(0)].slug,
                "name",
                lookup[m.group(0)].country,
            )
            for m in pattern.finditer(self.text, 0, self.limit)
        ]

    @cached_property
    def bodies(self) -> list[Mention]:
        """Capitalised names ending in Council, Commission or Committee, resolved to a body
        of the gazetteer by the core of its name (without the member countries) and by the
        countries the text names; value '' when none fits (a body new to the database)."""
        _pattern, lookup = self.country_pattern
        country = _alternation(list(lookup))
        phrase = re.compile(
            rf"(?:(?:{country})(?:\s*[-–—]\s*(?:{country}))?\s+)?"
            r"(?P<core>(?:[A-Z][\w-]*\s+){0,4}(?:Council|Commission|Committee))"
            rf"(?:\s+(?:of|between)\s+(?:the\s+)?(?:{country})(?:\s+and\s+(?:the\s+)?(?:{country}))?)?"
        )
        found = []
        text_countries = set(self.top_countries(4))
        for match in phrase.finditer(self.text, 0, self.limit):
            core = match.group("core").strip()
            core = re.sub(r"^(?:The|A|An|In|On|During|Our|This|That)\s+", "", core)
            if " " not in core:
                continue  # "the Council": a back-reference, not a name
            named = set(self.countries_in(match.start(), match.end()))
            body, reasoning = self._body_for(core, named or text_countries, bool(named))
            found.append(
                Mention(
                    match.start(),
                    match.end(),
                    match.group(0),
                    body.slug if body else "",
                    "body",
                    "",
                    # a body new to the database keeps the name the text gives it
                    reasoning if body else match.group(0).strip(),
                )
            )
        return found

    def _body_for(
        self, core: str, countries: set[str], named: bool
    ) -> tuple[BodyEntry | None, str]:
        scored = []
        for body in self.gazetteer.bodies:
            for name in (body.name, *body.aliases):
                body_core = strip_countries(name, self.country_pattern[0])
                if not body_core.lower().endswith(core.lower()):
                    continue
                score = 2 if body_core.lower() == core.lower() else 0
                members = set(body.members)
                # a council of other countries is another council, however alike the name
                if members and not members <= countries:
                    break
                if members:
                    score += 3
                scored.append((score, body))
                break
        if not scored:
            return None, ""
        scored.sort(key=lambda pair: -pair[0])
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            return None, ""
        body = scored[0][1]
        where = "named with it" if named else "the text is about"
        return body, (
            f"“{core}” is {body.name} in the database, whose members are the countries {where}"
        )

    def top_countries(self, n: int = 2) -> list[str]:
        counts = self.country_counts
        return [c for c, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:n]]


def strip_countries(name: str, pattern: re.Pattern[str]) -> str:
    """'Azerbaijan–Kazakhstan Supreme Interstate Council' -> 'Supreme Interstate Council'."""
    stripped = re.sub(r"\s+of\s+.*$", "", name) if " of " in name else name
    previous = None
    while previous != stripped:
        previous = stripped
        match = pattern.match(stripped)
        if match:
            stripped = stripped[match.end() :].lstrip(" -–—")
    return stripped.strip()
