"""From a press text to proposed meetings, documents, packages and projects.

`extract(text, published=..., dateline=..., gazetteer=...)` is the whole interface. It reads
the language of press reports on interstate relations, not any particular text:

- meetings: visits ("his official visit to Baku", "the visit of X to Belarus"), talks and
  negotiations, numbered sessions of bodies ("the second meeting of the Supreme Interstate
  Council" -> session 2 of the council in the database), summits ("the Washington summit"),
  ceremonies ("the ceremony to sign ...", "we will open this center"); the body session and the
  ceremonies held during a visit become its children;
- documents: named or described treaties, agreements, declarations, joint statements,
  memoranda, protocols, programmes and roadmaps, with their status from the wording (signed,
  initialed, or only proposed: "desire to conclude", "could develop");
- packages: "a package of 10 documents", "a number of bilateral documents" (count None);
- projects (projects.py): joint ventures, funds, named facilities, corridors, cables, ...

Every proposal carries its quotes (sentences of the text, with offsets), the basis of each fact
and its merge candidates in the gazetteer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from seeds.importer import dates as datemod
from seeds.importer.dates import DateValue, Reference
from seeds.importer.gazetteer import Gazetteer, KnownRecord
from seeds.importer.model import (
    Basis,
    CountryRole,
    DocumentProposal,
    MeetingProposal,
    MergeCandidate,
    PackageProposal,
    PersonRole,
    Proposals,
    Quote,
    StatusEventProposal,
)
from seeds.importer.text import NUMBER_WORDS, ORDINAL, Article, Mention, ordinal_value

VISIT_KINDS = {"state": "state_visit", "official": "official_visit", "working": "working_visit"}
VISIT = re.compile(
    r"(?:\b(?P<det>a|an|the|his|her|their|your|its|this|that|my|our)\s+|['’]s\s+)"
    r"(?P<mods>(?:[\w-]+\s+){0,3}?)visit\b(?!s|ed|ing|or)",
    re.IGNORECASE,
)
MODALS = {"will", "to", "would", "can", "shall", "may", "must", "could", "should", "did", "not"}
FUTURE_SESSION = re.compile(
    r"\b(?:next|upcoming|forthcoming)\s+(?:\w+\s+)?(?:meeting|session)\b|"
    r"\b(?:to hold|will hold|will be held|to be held|agreed to hold|plan to hold)\b",
    re.IGNORECASE,
)
VISIT_VERB = re.compile(r"\b(?:visited|arrived in|arrived at|is visiting|was visiting)\s+", re.I)
INVITATION = re.compile(r"\binvited\b[^.;]{0,80}$", re.IGNORECASE)
TALKS = re.compile(
    r"\b(?:talks|negotiations|met with|meeting with|held a meeting|conversations|"
    r"held (?:one-on-one|bilateral) (?:talks|meeting))\b",
    re.IGNORECASE,
)
FORMATS = (
    ("one_on_one", r"one-on-one|tête-à-tête|tete-a-tete|private\s+format|face-to-face|in private"),
    (
        "narrow",
        r"narrow[- ](?:and\s+(?:expanded|extended|enlarged)\s+)?formats?|restricted\s+format|"
        r"narrow\s+composition",
    ),
    (
        "expanded",
        r"(?:expanded|extended|enlarged)\s+formats?|expanded\s+composition|"
        r"with the participation of (?:the\s+)?delegations",
    ),
    (
        "press_conference",
        r"press conference|news conference|press briefing|joint press|"
        r"statements? (?:to|for) the press|mass media representatives|press statements",
    ),
)
SUMMIT_OF = re.compile(
    rf"(?:\b(?P<ord>{ORDINAL})\s+)?\b(?:[Ss]ummit|[Cc]onference)\s+of\s+(?:the\s+)?"
    r"(?P<of>(?:[A-Z][\w-]*(?:\s+of|\s+and)?\s*){1,8})"
)
SUMMIT = re.compile(
    r"(?P<name>(?:\b[A-Z][\w.-]*\s+|\b\d+\s+){1,7})(?P<word>[Ss]ummit|Conference)\b(?!s)"
    r"|\b(?P<cop>COP\s?\d+)\b"
)
CEREMONY = re.compile(
    r"\b(?P<pre>[\w-]+\s+)?ceremony\b(?:(?P<post>\s+(?:to|of|for|on)\s+[^.;,]{3,90}?)"
    r"(?=\s+(?:was|were|is|are|marked|took|held|\w+ed)\b|[.;,]|$))?",
    re.IGNORECASE,
)
OPENING = re.compile(
    r"\b(?P<subj>[Ww]e|[Tt]hey|[Tt]he (?:two )?(?:presidents|leaders|heads of state)|"
    r"[Bb]oth (?:presidents|leaders))\s+(?:will\s+|have\s+|jointly\s+|together\s+|also\s+)*"
    r"(?P<verb>inaugurated?|opened|open|launched|launch)\s+"
    r"(?P<obj>it|this \w+|the (?:construction|building|first stage|work) of (?:the |a )?"
    r"[^,.;]{3,80}?(?=\s+in\s|[,.;]|\s+and\s|$)|the (?:[A-Z][\w’'-]*\s?)+|the [\w’'-]+)"
    r"(?=[\s.,;]|$)"
)
BODY_SESSION_LEFT = re.compile(
    rf"(?:(?P<ord>{ORDINAL})\s+)?(?:regular\s+|extraordinary\s+|joint\s+|plenary\s+)?"
    r"(?:meeting|session|sitting)\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
BODY_SESSION_RIGHT = re.compile(r"^\s*(?:meeting|session)\b", re.IGNORECASE)
BODY_SESSION_HELD = re.compile(
    rf"^\s+(?:has\s+|had\s+)?(?:recently\s+|also\s+)?(?:held|hold|holds|convened)\s+"
    rf"(?:a|an|its)\s+(?:(?P<ord>{ORDINAL})\s+)?(?:\w+\s+)?(?:meeting|session)",
    re.IGNORECASE,
)
BODY_ORDINAL_BEFORE = re.compile(rf"(?P<ord>{ORDINAL})\s+$", re.IGNORECASE)
PAST_SESSION = re.compile(r"\b(?:recently|last|previous|earlier|ago)\b", re.IGNORECASE)
CITY_AFTER = re.compile(r"\b(?:held in|in|to|at)\s+(?:the\s+)?(?:\w+\s+capital\s+)?$")

DOC_KINDS = {
    "joint statement": "joint_statement",
    "joint communiqué": "joint_statement",
    "joint communique": "joint_statement",
    "joint declaration": "declaration",
    "memorandum of understanding": "memorandum",
    "memorandum": "memorandum",
    "treaty": "treaty",
    "agreement": "agreement",
    "accord": "agreement",
    "convention": "agreement",
    "contract": "agreement",
    "declaration": "declaration",
    "protocol": "protocol",
    "programme": "programme",
    "program": "programme",
    "roadmap": "programme",
    "road map": "programme",
    "action plan": "programme",
    "plan of action": "programme",
    "charter": "other",
}
DOC = re.compile(
    r"\b(?P<kind>joint statement|joint communiqu[eé]|joint declaration|"
    r"memorandum of understanding|memorandum|treaty|agreement|accord|convention|contract|"
    r"declaration|protocol|programme|program|roadmap|road map|action plan|plan of action|"
    r"charter)(?P<plural>s|a)?\b",
    re.IGNORECASE,
)
DOC_MODIFIERS = {
    "peace",
    "trilateral",
    "bilateral",
    "multilateral",
    "intergovernmental",
    "interstate",
    "framework",
    "cooperation",
    "partnership",
    "strategic",
    "free",
    "trade",
    "investment",
    "comprehensive",
    "joint",
    "visa",
    "tax",
    "customs",
    "economic",
    "military",
    "defence",
    "defense",
    "energy",
    "transit",
    "gas",
    "oil",
    "supply",
    "delivery",
    "loan",
    "credit",
    "final",
    "new",
    "friendship",
    "border",
    "readmission",
    "extradition",
    "security",
    "ceasefire",
    "cease-fire",
    "armistice",
    "action",
}
WEAK_MODIFIERS = {"new", "final", "joint", "bilateral", "important", "historic", "main", "this"}
DOC_POST_STOP = re.compile(
    r"\s+(?:which|that|who|was|were|is|are|has|have|had|will|would|signed|dominated|with|at|"
    r"during|in the presence|between (?:our|the two|both)|less than|after|before|testifies|so|"
    r"so that|last|this|next|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"\d))\b"
    r"|[,.;:()“”\"]|\s+and\s+(?=[a-z])"
)
PROPOSED_CUES = re.compile(
    r"\b(?:desire to|intend\w* to|plan\w* to|will|would|could|should|expected to|ready to|"
    r"readiness to|prepar\w*|draft\w*|negotiat\w*|working on|develop|propos\w*|perhaps|"
    r"finaliz\w*|to conclude|to sign|may|might|soon|future)\b",
    re.IGNORECASE,
)
STATUS_CUES = (
    ("in_force", re.compile(r"\b(?:entered into force|came into force|in force)\b", re.I)),
    ("initialed", re.compile(r"\binitial(?:l)?(?:ed|ing)\b", re.I)),
    ("signed", re.compile(r"\b(?:signed|inked|concluded|signing)\b", re.I)),
)
CONCLUSION_CUES = (
    ("issued", re.compile(r"\bissued\b", re.I)),
    ("adopted", re.compile(r"\badopted\b", re.I)),
)
ANNIVERSARY_OF = re.compile(
    r"\b(?P<n>\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+of\s+(?:the\s+)?$", re.I
)
DECISION = re.compile(
    r"\b(?P<a>[A-Z][\w-]+)\s+and\s+(?P<b>[A-Z][\w-]+)\s+(?:have\s+|had\s+)?"
    r"(?:decided|agreed)\s+(?P<what>to\s+[^.;]{5,140}?)(?=[.;,]|\s+and\s+encourage|$)"
)
PACKAGE = re.compile(
    r"\b(?:a\s+)?(?:package|set|series|number|total|raft)\s+of\s+(?:(?P<n1>\d+|"
    + "|".join(NUMBER_WORDS)
    + r")\s+)?(?:(?:bilateral|intergovernmental|interstate|interdepartmental|new|cooperation|"
    r"other)\s+)*(?:documents|agreements|memoranda|accords)\b"
    r"|\b(?P<n2>\d+|"
    + "|".join(NUMBER_WORDS)
    + r")\s+(?:(?:bilateral|intergovernmental|interstate|interdepartmental|new|cooperation)\s+)*"
    r"(?:documents|agreements|memoranda|accords)\b"
    r"|\bthe\s+(?:documents|agreements|memoranda)\s+signed\b"
    r"|\b[A-Z][\w]+[-–][A-Z][\w]+\s+(?:documents|agreements)\b"
    r"|\b(?:bilateral\s+)?(?:documents|agreements)\s+(?:were|have been)\s+signed\b",
    re.IGNORECASE,
)
SIGN_WORDS = re.compile(r"\b(?:sign|signed|signing|inked|exchanged|adopted)\b", re.IGNORECASE)


@dataclass
class _Ctx:
    article: Article
    ref: Reference
    gazetteer: Gazetteer
    main: MeetingProposal | None = None
    dateline_city: str = ""


def extract(
    text: str,
    *,
    published: dt.date | None = None,
    dateline: str | None = None,
    gazetteer: Gazetteer,
) -> Proposals:
    """Proposals for the records an analyst would curate from `text`."""
    from seeds.importer.projects import extract_projects

    article = Article(text, gazetteer)
    if not dateline:
        # 'ANKARA, March 5 (Reuters) -': a dateline opening the text
        opening = re.match(
            r"\s*([A-Z][\w .'’-]{1,40},\s+(?:[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s+\d{4})?|"
            r"\d{1,2}\s+[A-Z][a-z]+(?:\s+\d{4})?))",
            text,
        )
        if opening and datemod.parse_dateline(opening.group(1)):
            dateline = opening.group(1)
    ref = datemod.reference(
        text[: article.limit],
        published=published,
        dateline=dateline,
        known_year=lambda words: _known_document_year(words, gazetteer),
    )
    ctx = _Ctx(article, ref, gazetteer)
    if dateline:
        place = dateline.split(",")[0].strip()
        ctx.dateline_city = next(
            (c.name for c in gazetteer.cities if c.name.lower() == place.lower()), ""
        )
    meetings = _meetings(ctx)
    projects = extract_projects(ctx)
    meetings += _ceremonies(ctx, meetings, projects)
    _finish_main(ctx, meetings)
    packages = _packages(ctx, meetings)
    documents, events = _documents(ctx, meetings, packages)
    for meeting in meetings:
        meeting.merge_candidates = _meeting_candidates(meeting, gazetteer)
    for project in projects:
        if ctx.main is not None and not project.meetings:
            project.meetings.append(ctx.main.key)
    return Proposals(
        meetings=meetings,
        documents=documents,
        packages=packages,
        projects=projects,
        status_events=events,
        reference={
            "date": ref.date.isoformat() if ref.date else None,
            "year": ref.year,
            "reasoning": ref.reasoning,
            "clues": list(ref.clues),
        },
    )


# -- helpers -------------------------------------------------------------------------------


def quote(article: Article, start: int, end: int, field: str = "") -> Quote:
    return Quote(start, end, article.text[start:end], field)


def sentence_quote(article: Article, offset: int, field: str = "") -> Quote:
    s, e = article.sentence_at(offset)
    return quote(article, s, e, field)


def _known_document_year(words: str, gazetteer: Gazetteer) -> int | None:
    best = None
    for document in gazetteer.documents:
        if document.date is None:
            continue
        score = fuzz.token_set_ratio(words.lower(), document.title.lower())
        if score >= 85 and (best is None or score > best[0]):
            best = (score, document.date.year)
    return best[1] if best else None


def date_near(
    ctx: _Ctx,
    offset: int,
    *,
    skip_years: bool = True,
    sentence: tuple[int, int] | None = None,
    claimed: set[int] | frozenset[int] = frozenset(),
    within: int | None = None,
) -> DateValue | None:
    """The date expression of the sentence nearest to `offset`, resolved; `claimed` dates
    (those of other meetings) are passed over."""
    article = ctx.article
    s, e = sentence or article.sentence_at(offset)
    mentions = [
        m
        for m in datemod.find_dates(article.text, s, e)
        if not (skip_years and m.kind in ("year", "relyear", "season"))
        and m.start not in claimed
        and (within is None or abs(m.start - offset) <= within)
    ]
    if not mentions:
        return None
    mentions.sort(key=lambda m: abs(m.start - offset))
    return datemod.resolve(mentions[0], ctx.ref, article.text[s:e])


def date_basis(article: Article, value: DateValue) -> Basis:
    q = sentence_quote(article, value.offset, "date")
    if value.basis == "stated":
        return Basis("stated", "", q, value.text)
    return Basis("inferred", value.reasoning, q)


def _place_after(ctx: _Ctx, start: int, end: int) -> Mention | None:
    """The city or country right after 'to'/'in' between start and end."""
    article = ctx.article
    places = [m for m in (*article.cities, *article.countries) if start <= m.start < end]
    places.sort(key=lambda m: (m.start, m.form != "city"))
    for place in places:
        between = article.text[start : place.start]
        if re.search(r"\b(?:to|in)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", between) and not re.search(
            r"[.;]", between
        ):
            # 'the Armenian capital Yerevan': the adjective is not the place, the city is
            if place.form == "adjective":
                continue
            return place
    return None


def _place_before(ctx: _Ctx, start: int, sentence_start: int) -> Mention | None:
    """'who is in Russia on a state visit': the place just before the visit."""
    article = ctx.article
    text = article.text
    places = [
        m
        for m in (*article.cities, *article.countries)
        if sentence_start <= m.start and m.end <= start and m.form != "adjective"
    ]
    for place in sorted(places, key=lambda m: -m.start):
        after = text[place.end : start]
        before = text[max(sentence_start, place.start - 12) : place.start]
        if re.match(r"^\s+(?:on|for)\s*$", after) and re.search(r"\bin\s+(?:the\s+)?$", before):
            return place
    return None


def _persons(ctx: _Ctx, spans: list[tuple[int, int]], role: str = "principal") -> list[PersonRole]:
    seen: dict[str, PersonRole] = {}
    for s, e in spans:
        for mention in ctx.article.persons_in(s, e):
            if mention.value in seen:
                continue
            person = ctx.gazetteer.person(mention.value)
            if person is None:
                continue
            inferred = mention.form in ("title", "anaphor")
            seen[mention.value] = PersonRole(
                person.slug,
                person.name,
                role,
                mention.text,
                "inferred" if inferred else "stated",
                mention.reasoning,
            )
    return list(seen.values())


# -- meetings ------------------------------------------------------------------------------


def _meetings(ctx: _Ctx) -> list[MeetingProposal]:
    article = ctx.article
    text = article.text
    meetings: list[MeetingProposal] = []
    sessions = _body_sessions(ctx)
    summits = _summits(ctx)
    claimed = {m.date.offset for m in (*sessions, *summits) if m.date is not None}
    visit = _visit(ctx, claimed)
    if visit is not None:
        meetings.append(visit)
    main = visit
    opening = article.sentences[:2]
    lead_summit = next(
        (
            u
            for u in summits
            if any(s <= u.quotes[0].start < e for s, e in opening)
            and not datemod.FUTURE_CUES.search(u.quotes[0].text)
        ),
        None,
    )
    if main is None and lead_summit is not None:
        # a summit report: bilateral talks on its sidelines are held during it
        main = lead_summit
        talks = _talks_meeting(ctx)
        if talks is not None:
            talks.key = "t1"
            meetings.append(talks)
            _make_child(ctx, talks, main, "held on the sidelines of the summit")
            talks.title = _main_title(ctx, talks) if not talks.title else talks.title
    if main is None:
        main = _talks_meeting(ctx)
        if main is not None:
            meetings.append(main)
    if main is not None:
        main.main = True
        ctx.main = main
        if main.kind != "summit":
            others = {q for m in (*sessions, *summits) for q in m.quotes}
            _attach_talks(ctx, main, claimed, others)
    elif sessions:
        sessions[0].main = True
        ctx.main = main = sessions[0]
    for session in sessions:
        if session is main:
            continue
        s = session.quotes[0].start
        sentence = text[slice(*article.sentence_at(s))]
        if main is not None and main.kind != "body_session" and not PAST_SESSION.search(sentence):
            overlap = (
                session.date is None or main.date is None or _overlaps(session.date, main.date)
            )
            if overlap:
                session.parent = main.key
                if not session.city and main.city:
                    session.city, session.host_country = main.city, main.host_country
                    session.basis["city"] = Basis("inferred", "held during the visit, in its city")
                if session.date is None and main.date is not None and main.date.end is None:
                    session.date = DateValue(
                        main.date.start,
                        None,
                        main.date.precision,
                        "inferred",
                        "held during the visit, the one day the text dates",
                    )
                    session.basis["date"] = Basis("inferred", session.date.reasoning)
    meetings += [s for s in sessions if s not in meetings]
    meetings += summits
    if main is not None:
        _span_children(ctx, main, meetings)
    return meetings


def _span_children(ctx: _Ctx, main: MeetingProposal, meetings: list[MeetingProposal]) -> None:
    """A visit lasts at least from its first to its last dated part."""
    article = ctx.article
    children = [m for m in meetings if m.parent == main.key]
    dated = [
        c
        for c in children
        if c.date is not None
        and (c.date.basis == "stated" or (c.basis.get("date") and c.basis["date"].quote))
    ]
    if not dated:
        return
    start = min(c.date.start for c in dated)
    first = min(dated, key=lambda c: c.date.start)
    # The meetings held during a visit show it under way on their days, not when it ended:
    # the visit gets their first day as its start and no end (docs/editorial-policy.md).
    if main.date is None:
        main.date = DateValue(
            start,
            None,
            "day",
            "inferred",
            f"under way on the day of the first meeting held during it ({first.title}); "
            "its end is not stated",
            first.date.text,
            first.date.offset,
        )
        main.basis["date"] = Basis(
            "inferred", main.date.reasoning, sentence_quote(article, first.date.offset, "date")
        )


def _overlaps(a: DateValue, b: DateValue) -> bool:
    a_end, b_end = a.end or a.start, b.end or b.start
    return a.start <= b_end + dt.timedelta(days=1) and b.start <= a_end + dt.timedelta(days=1)


def _visit(ctx: _Ctx, claimed: set[int]) -> MeetingProposal | None:
    """All visit mentions of the text as one visit (a report covers one visit; an invitation
    to a future visit is not a meeting)."""
    article = ctx.article
    text = article.text[: article.limit]
    mentions = []
    for match in VISIT.finditer(text):
        s, e = article.sentence_at(match.start())
        if INVITATION.search(text[s : match.start()]):
            continue
        mods = (match.group("mods") or "").lower().split()
        if any(m in ("next", "future", "upcoming", "return", "planned") for m in mods):
            continue
        # 'the leaders will visit Khiva': a verb, not a visit of the report
        if any(m in MODALS for m in mods):
            continue
        if "exchange" in text[max(s, match.start() - 20) : match.start()].lower():
            continue
        # 'the state visit of the Kyrgyz President to Baku in 2022': an earlier visit the
        # report recalls, not the one it reports
        if _recalled(ctx, text, s, e):
            continue
        kind = ""
        for word in ("state", "official", "working"):
            if word in mods:
                kind = VISIT_KINDS[word]
                break
        place = _place_after(ctx, match.end(), min(e, match.end() + 100)) or _place_before(
            ctx, match.start(), s
        )
        mentions.append((match, kind, place))
    for match in VISIT_VERB.finditer(text):
        s, e = article.sentence_at(match.start())
        place = _place_after(ctx, match.start(), min(e, match.end() + 40))
        if place is not None:
            mentions.append((match, "", place))
    if not mentions:
        return None
    mentions.sort(key=lambda item: item[0].start())
    # the host: the first place a visit is said to go to
    host, city, place_quote = "", "", None
    for match, _kind, place in mentions:
        if place is None:
            continue
        if place.form == "city":
            city, host = place.value, place.country
        else:
            host = place.value
        place_quote = (match, place)
        break
    meeting = MeetingProposal(key="m1", kind="talks")
    kinds = [kind for _, kind, _ in mentions if kind]
    order = ["state_visit", "official_visit", "working_visit"]
    if kinds:
        meeting.kind = min(kinds, key=order.index)
        first = next(m for m, k, _ in mentions if k == meeting.kind)
        meeting.basis["kind"] = Basis(
            "stated", "", sentence_quote(article, first.start(), "kind"), first.group(0).strip()
        )
    else:
        meeting.basis["kind"] = Basis(
            "inferred",
            "the text speaks of a visit without saying whether state, official or working",
            sentence_quote(article, mentions[0][0].start(), "kind"),
        )
    for match, _kind, _place in mentions:
        q = sentence_quote(article, match.start())
        if q not in meeting.quotes:
            meeting.quotes.append(q)
        value = date_near(ctx, match.start(), claimed=claimed)
        if value is not None and meeting.date is None:
            meeting.date = value
            meeting.basis["date"] = date_basis(article, value)
    if host:
        match, place = place_quote
        meeting.host_country = host
        meeting.basis["host_country"] = Basis(
            "stated" if place.form != "city" else "inferred",
            "" if place.form != "city" else f"{place.value} is in {host}",
            sentence_quote(article, match.start(), "host_country"),
            place.text,
        )
    if city:
        match, place = place_quote
        meeting.city = city
        meeting.basis["city"] = Basis(
            "stated", "", sentence_quote(article, match.start(), "city"), place.text
        )
    guests = []
    for match, _kind, _place in mentions:
        s, e = article.sentence_at(match.start())
        for person in article.persons_in(s, e):
            if person.country and person.country != host:
                guests.append(person.country)
    if not guests:
        guests = [c for c in article.top_countries(2) if c != host]
    meeting.countries = [CountryRole(host, "host")] if host else []
    for code in dict.fromkeys(guests):
        if code and code != host:
            meeting.countries.append(CountryRole(code, "guest"))
            break
    return meeting


def _recalled(ctx: _Ctx, text: str, s: int, e: int) -> bool:
    """Whether the sentence dates what it speaks of well before the report: a year other than
    the report's, or a day more than two months from it."""
    if not ctx.ref.year:
        return False
    for mention in datemod.find_dates(text, s, e):
        if not mention.year:
            continue
        if mention.kind in ("year", "season"):
            if mention.year != ctx.ref.year:
                return True
            continue
        value = datemod.resolve(mention, ctx.ref)
        if value is None:
            continue
        if ctx.ref.date is not None:
            if abs((value.start - ctx.ref.date).days) > 60:
                return True
        elif value.start.year != ctx.ref.year:
            return True
    return False


def _talks_meeting(ctx: _Ctx) -> MeetingProposal | None:
    article = ctx.article
    text = article.text[: article.limit]
    for match in TALKS.finditer(text):
        s, e = article.sentence_at(match.start())
        persons = {m.value for m in article.persons_in(s, e)}
        countries = set(article.countries_in(s, e))
        if len(persons) < 2 and len(countries | {p.country for p in article.persons_in(s, e)}) < 2:
            continue
        meeting = MeetingProposal(key="m1", kind="talks")
        meeting.basis["kind"] = Basis(
            "stated", "", sentence_quote(article, match.start(), "kind"), match.group(0)
        )
        meeting.quotes.append(sentence_quote(article, match.start()))
        place = _place_after(ctx, match.end(), e)
        if place is not None and place.form == "city":
            meeting.city, meeting.host_country = place.value, place.country
            meeting.basis["city"] = Basis(
                "stated", "", sentence_quote(article, match.start(), "city"), place.text
            )
        codes = [p.country for p in article.persons_in(s, e) if p.country]
        meeting.countries = [
            CountryRole(c, "host" if c == meeting.host_country else "participant")
            for c in dict.fromkeys(codes)
        ]
        meeting.persons = _persons(ctx, [(s, e)])
        return meeting
    # talks the text does not place in a sentence with both sides: between the two countries
    # it is about, when it is about two
    match = TALKS.search(text)
    top = article.top_countries(2)
    if match is None or len(top) < 2:
        return None
    meeting = MeetingProposal(key="m1", kind="talks")
    q = sentence_quote(article, match.start())
    meeting.basis["kind"] = Basis("stated", "", q, match.group(0))
    meeting.quotes.append(q)
    _s, e = article.sentence_at(match.start())
    place = _place_after(ctx, match.end(), e)
    if place is not None and place.form == "city":
        meeting.city, meeting.host_country = place.value, place.country
        meeting.basis["city"] = Basis("stated", "", q, place.text)
    meeting.countries = [
        CountryRole(c, "host" if c == meeting.host_country else "participant") for c in top
    ]
    meeting.basis["countries"] = Basis("inferred", "the two countries the text names most")
    return meeting


def _attach_talks(ctx: _Ctx, main: MeetingProposal, claimed: set[int], others: set[Quote]) -> None:
    """Talks, negotiations and their formats belong to the report's main meeting, unless the
    sentence is another meeting's ('The Commission recently held a meeting')."""
    article = ctx.article
    text = article.text[: article.limit]
    for match in TALKS.finditer(text):
        q = sentence_quote(article, match.start())
        if q in others:
            continue
        if q not in main.quotes:
            main.quotes.append(q)
        if main.date is None:
            value = date_near(ctx, match.start(), claimed=claimed, within=80)
            if value is not None:
                main.date = value
                main.basis["date"] = date_basis(article, value)
        if not main.city:
            _s, e = article.sentence_at(match.start())
            place = _place_after(ctx, match.end(), e)
            if place is not None and place.form == "city":
                main.city = place.value
                main.host_country = main.host_country or place.country
                main.basis["city"] = Basis("stated", "", q, place.text)
    for fmt, pattern in FORMATS:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            main.formats.append(fmt)
            main.quotes.append(sentence_quote(article, match.start(), "formats"))
    # 'both yesterday and today': the visit spans the day before the report's day
    for mention in datemod.find_dates(text):
        if mention.kind == "span":
            value = datemod.resolve(mention, ctx.ref)
            if value is not None and (main.date is None or main.date.end is None):
                # The talks spanned both days; when the visit ended the text does not say, so
                # it keeps only its start (docs/editorial-policy.md: no end date not given).
                value = dataclasses.replace(
                    value,
                    end=None,
                    basis="inferred",
                    reasoning=f"{value.reasoning}; under way from then, its end not stated",
                )
                main.date = value
                main.basis["date"] = date_basis(article, value)
                main.quotes.append(sentence_quote(article, mention.start, "date"))
                break


def _body_sessions(ctx: _Ctx) -> list[MeetingProposal]:
    article = ctx.article
    text = article.text
    found: list[tuple[Mention, int | None, int]] = []
    for body in article.bodies:
        left = BODY_SESSION_LEFT.search(text[max(0, body.start - 60) : body.start])
        right = BODY_SESSION_RIGHT.match(text[body.end : body.end + 20])
        held = BODY_SESSION_HELD.match(text[body.end : body.end + 80])
        before = BODY_ORDINAL_BEFORE.search(text[max(0, body.start - 20) : body.start])
        if not (left or right or held):
            continue
        # 'agreed to hold the next meeting of the Council in Baku': not held yet
        s, e = article.sentence_at(body.start)
        if FUTURE_SESSION.search(text[s : body.start]):
            continue
        number = None
        for match in (left, held, before):
            if match and match.group("ord"):
                number = ordinal_value(match.group("ord"))
                break
        anchor = body.start - (len(left.group(0)) if left else 0)
        found.append((body, number, anchor))
    sessions: dict[tuple[str, int | None], MeetingProposal] = {}
    for body, number, anchor in found:
        key = (body.value or body.reasoning.lower(), number)
        if number is None:
            numbered = [k for k in sessions if k[0] == key[0] and k[1] is not None]
            numbered += [
                (b.value or b.reasoning.lower(), n)
                for b, n, _ in found
                if n is not None and (b.value or b.reasoning.lower()) == key[0]
            ]
            numbered = list(dict.fromkeys(numbered))
            if len(numbered) == 1:
                key = numbered[0]
        meeting = sessions.get(key)
        q = sentence_quote(article, anchor)
        if meeting is None:
            entry = ctx.gazetteer.body(body.value) if body.value else None
            meeting = MeetingProposal(
                key=f"s{len(sessions) + 1}",
                kind="body_session",
                body=body.value,
                body_name=entry.name if entry else body.reasoning,
            )
            meeting.basis["kind"] = Basis("stated", "", q, text[anchor : body.end])
            if entry:
                meeting.basis["body"] = Basis("inferred", body.reasoning, q)
            sessions[key] = meeting
        if number is not None and meeting.session_number is None:
            meeting.session_number = number
            meeting.basis["session_number"] = Basis(
                "stated",
                "",
                quote(article, *article.sentence_at(anchor), "session_number"),
                text[anchor : body.end],
            )
        if q not in meeting.quotes:
            meeting.quotes.append(q)
        s, e = article.sentence_at(anchor)
        if meeting.date is None:
            value = date_near(ctx, body.start)
            if value is not None:
                meeting.date = value
                meeting.basis["date"] = date_basis(article, value)
        if not meeting.city:
            for city in article.cities:
                if s <= city.start < e and CITY_AFTER.search(
                    text[max(s, city.start - 30) : city.start]
                ):
                    meeting.city, meeting.host_country = city.value, city.country
                    meeting.basis["city"] = Basis("stated", "", q, city.text)
                    meeting.basis["host_country"] = Basis(
                        "inferred", f"{city.value} is in {city.country}", q
                    )
                    break
    for meeting in sessions.values():
        number = meeting.session_number
        ordinal = f"{_ordinal_word(number)} meeting" if number else "Meeting"
        meeting.title = f"{ordinal} of the {meeting.body_name}"
        spans = [(q.start, q.end) for q in meeting.quotes]
        meeting.persons = _persons(ctx, spans)
        members = []
        if meeting.body:
            members = list(ctx.gazetteer.body(meeting.body).members)
        for code in members or article.top_countries(2):
            role = (
                "host"
                if code == meeting.host_country
                else ("guest" if meeting.host_country else "participant")
            )
            meeting.countries.append(CountryRole(code, role))
    return list(sessions.values())


def _ordinal_word(number: int) -> str:
    words = {
        1: "First",
        2: "Second",
        3: "Third",
        4: "Fourth",
        5: "Fifth",
        6: "Sixth",
        7: "Seventh",
        8: "Eighth",
        9: "Ninth",
        10: "Tenth",
    }
    return words.get(number, f"{number}th")


def _summits(ctx: _Ctx) -> list[MeetingProposal]:
    article = ctx.article
    text = article.text[: article.limit]
    by_sentence: dict[tuple[int, int], MeetingProposal] = {}
    for match in SUMMIT_OF.finditer(text):
        sentence = article.sentence_at(match.start())
        if sentence in by_sentence or FUTURE_SESSION.search(text[slice(*sentence)]):
            continue
        q = quote(article, *sentence)
        of = re.sub(r"\s+(?:of|and)$", "", match.group("of").strip())
        ordinal = f"{match.group('ord')} " if match.group("ord") else ""
        meeting = MeetingProposal(key=f"u{len(by_sentence) + 1}", kind="summit")
        meeting.title = _cap(f"{ordinal}summit of the {of}")
        meeting.quotes.append(q)
        meeting.basis["kind"] = Basis("stated", "", q, match.group(0).strip())
        by_sentence[sentence] = meeting
    for match in SUMMIT.finditer(text):
        if match.group("cop"):
            name = match.group("cop")
        else:
            name = re.sub(r"^(?:The|A|An|In|On|At|During|Our)\s+", "", match.group("name").strip())
            if not name or (match.group("word") == "summit" and not name[0].isupper()):
                continue
            if re.search(r"\b(?:press|news)\b", name, re.IGNORECASE):
                continue
        sentence = article.sentence_at(match.start())
        meeting = by_sentence.get(sentence)
        q = quote(article, *sentence)
        if meeting is None:
            if FUTURE_SESSION.search(text[slice(*sentence)]):
                continue
            meeting = MeetingProposal(key=f"u{len(by_sentence) + 1}", kind="summit")
            meeting.title = f"{name} {match.group('word') or 'summit'}".strip()
            meeting.quotes.append(q)
            meeting.basis["kind"] = Basis("stated", "", q, match.group(0).strip())
            by_sentence[sentence] = meeting
        if not meeting.city:
            s, e = sentence
            for city in article.cities:
                if s <= city.start < e and (
                    match.start() <= city.start < match.end()
                    or CITY_AFTER.search(text[max(s, city.start - 12) : city.start])
                ):
                    meeting.city, meeting.host_country = city.value, city.country
                    meeting.basis["city"] = Basis("stated", "", q, city.text)
                    meeting.basis["host_country"] = Basis(
                        "inferred", f"{city.value} is in {city.country}", q
                    )
                    break
        if not meeting.city:
            # a city the database does not know yet: 'the China-Central Asia Summit in Xi'an'
            after = re.match(r",?\s+in\s+([A-Z][\w'’-]+)", text[match.end() : match.end() + 40])
            if after and after.group(1).lower() not in datemod.MONTHS:
                meeting.city = after.group(1)
                meeting.basis["city"] = Basis("stated", "", q, after.group(1))
        if meeting.date is None:
            value = date_near(ctx, match.start())
            if value is not None:
                meeting.date = value
                meeting.basis["date"] = date_basis(article, value)
    for sentence, meeting in by_sentence.items():
        s, e = sentence
        if not meeting.city:
            for city in article.cities:
                if s <= city.start < e and CITY_AFTER.search(
                    text[max(s, city.start - 12) : city.start]
                ):
                    meeting.city, meeting.host_country = city.value, city.country
                    meeting.basis["city"] = Basis("stated", "", meeting.quotes[0], city.text)
                    break
        if meeting.date is None:
            value = date_near(ctx, s)
            if value is not None:
                meeting.date = value
                meeting.basis["date"] = date_basis(article, value)
    for meeting in by_sentence.values():
        spans = [(q.start, q.end) for q in meeting.quotes]
        meeting.persons = _persons(ctx, spans, "participant")
        codes = [meeting.host_country] if meeting.host_country else []
        meeting.countries = [CountryRole(c, "host") for c in codes]
    return list(by_sentence.values())


def _ceremonies(
    ctx: _Ctx, meetings: list[MeetingProposal], projects: list
) -> list[MeetingProposal]:
    article = ctx.article
    text = article.text[: article.limit]
    main = ctx.main
    found: list[MeetingProposal] = []
    for match in CEREMONY.finditer(text):
        if re.search(
            r"\b(?:wedding|funeral|award|closing|opening ceremony of the games)\b",
            match.group(0),
            re.I,
        ):
            continue
        q = sentence_quote(article, match.start())
        if any(q in m.quotes for m in found):
            continue
        pre = (match.group("pre") or "").strip()
        if pre.lower() in ("a", "an", "the", "this", "that"):
            pre = ""
        title = f"{pre} ceremony{match.group('post') or ''}".strip()
        meeting = MeetingProposal(key=f"c{len(found) + 1}", kind="ceremony")
        meeting.title = title[0].upper() + title[1:]
        meeting.quotes.append(q)
        meeting.basis["kind"] = Basis("stated", "", q, match.group(0).strip())
        value = date_near(ctx, match.start())
        if value is not None:
            meeting.date = value
            meeting.basis["date"] = date_basis(article, value)
        if main is not None and (
            meeting.date is None or (main.date and _overlaps(meeting.date, main.date))
        ):
            _make_child(ctx, meeting, main, "reported among the events of the visit")
        found.append(meeting)
    for match in OPENING.finditer(text):
        q = sentence_quote(article, match.start())
        obj = match.group("obj")
        project = None
        if obj == "it" or obj.startswith("this "):
            earlier = [p for p in projects if any(pq.start < match.start() for pq in p.quotes)]
            if earlier:
                project = max(
                    earlier,
                    key=lambda p: max(pq.start for pq in p.quotes if pq.start < match.start()),
                )
        else:
            named = (
                re.sub(
                    r"^the\s+(?:(?:construction|building|first stage|work) of (?:the |a )?)?",
                    "",
                    obj,
                )
                .strip()
                .lower()
            )
            project = next((p for p in projects if p.name.lower().startswith(named)), None)
        name = project.name if project else obj
        meeting = MeetingProposal(key=f"c{len(found) + 1}", kind="ceremony")
        started = re.match(r"the (?:construction|building|first stage|work) of", obj)
        meeting.title = f"Start of the construction of {name}" if started else f"Opening of {name}"
        meeting.quotes.append(q)
        meeting.basis["kind"] = Basis("stated", "", q, match.group(0))
        value = date_near(ctx, match.start())
        if value is not None:
            meeting.date = value
            meeting.basis["date"] = date_basis(article, value)
        if project is not None and project.city:
            meeting.city, meeting.host_country = project.city, project.location_country
            meeting.basis["city"] = Basis(
                "inferred", f"the place of {project.name}, which the text says was opened", q
            )
        if main is not None:
            # 'the presidents opened' reports the day's events; 'we inaugurated' in a speech
            # recalls an earlier day unless a date says otherwise
            reported = match.group("subj").lower() not in ("we",)
            if meeting.date is None and reported:
                _make_child(ctx, meeting, main, "reported among the events of the visit")
            elif (
                meeting.date is not None
                and main.date is not None
                and _overlaps(meeting.date, main.date)
            ):
                _make_child(ctx, meeting, main, "held the day of or after the visit's meeting")
        if project is not None and meeting.key not in project.meetings:
            project.meetings.append(meeting.key)
        found.append(meeting)
    return found


def _make_child(ctx: _Ctx, child: MeetingProposal, parent: MeetingProposal, why: str) -> None:
    child.parent = parent.key
    if child.date is None and parent.date is not None:
        child.date = DateValue(
            parent.date.start,
            None,
            parent.date.precision,
            "inferred",
            f"{why}, dated {parent.date.start.isoformat()}",
            parent.date.text,
            parent.date.offset,
        )
        child.basis["date"] = Basis("inferred", child.date.reasoning)
    if not child.city and parent.city:
        child.city, child.host_country = parent.city, parent.host_country
        child.basis["city"] = Basis("inferred", why)
    if not child.countries:
        child.countries = [CountryRole(c.code, c.role) for c in parent.countries]
    if not child.persons:
        child.persons = [
            PersonRole(p.slug, p.name, p.role, p.via, "inferred", why) for p in parent.persons
        ]


def _finish_main(ctx: _Ctx, meetings: list[MeetingProposal]) -> None:
    """The main meeting: its persons, its span over its children, its place from them."""
    main = ctx.main
    article = ctx.article
    if main is None:
        return
    counts = article.person_counts
    spans = [(q.start, q.end) for q in main.quotes]
    persons = _persons(ctx, spans)
    ranked = sorted(counts, key=lambda slug: -counts[slug])
    for slug in ranked[:2]:
        if slug not in {p.slug for p in persons}:
            person = ctx.gazetteer.person(slug)
            persons.append(
                PersonRole(
                    slug,
                    person.name,
                    "principal",
                    "",
                    "inferred",
                    "one of the two persons the text names most",
                )
            )
    main.persons = [p for p in persons if p.slug in ranked[:3]] or persons
    children = [m for m in meetings if m.parent == main.key]
    _span_children(ctx, main, meetings)
    for meeting in meetings:
        if meeting.kind in ("ceremony", "body_session") and not meeting.persons:
            meeting.persons = [
                PersonRole(
                    p.slug,
                    p.name,
                    "principal",
                    p.via,
                    "inferred",
                    "the leaders of the meeting the text reports",
                )
                for p in main.persons
            ]
    if main.date is None and ctx.ref.date is not None:
        main.date = DateValue(
            ctx.ref.date,
            None,
            "day",
            "inferred",
            f"the text gives no date; taken as the day of {ctx.ref.reasoning}",
        )
        main.basis["date"] = Basis("inferred", main.date.reasoning)
    if not main.city:
        # a session held during a visit is in its city; a ceremony may be at a site elsewhere
        for child in children:
            if child.city and child.kind == "body_session":
                main.city, main.host_country = child.city, main.host_country or child.host_country
                main.basis["city"] = Basis(
                    "inferred",
                    f"the city of “{child.title}”, held during it",
                    child.quotes[0] if child.quotes else None,
                )
                break
    if not main.city and ctx.dateline_city:
        # filed from the host country's city: where reports of visits are written
        code = ctx.gazetteer.city_country(ctx.dateline_city)
        if code and code == main.host_country:
            main.city = ctx.dateline_city
            main.basis["city"] = Basis(
                "inferred", f"the dateline's city, in the host country ({ctx.dateline_city})"
            )
    for child in children:
        if child.date is None and main.date is not None:
            child.date = DateValue(
                main.date.start,
                None,
                main.date.precision,
                "inferred",
                f"held during “{main.title or 'the visit'}”; the text gives it no date of its own",
            )
            child.basis["date"] = Basis("inferred", child.date.reasoning)
        if not child.city and main.city:
            child.city, child.host_country = main.city, main.host_country
            child.basis["city"] = Basis("inferred", "held during the visit, in its city")
    if main.kind == "summit":
        # the countries named where the text speaks of the summit take part in it
        for s, e in article.sentences:
            if re.search(r"\bsummit\b", article.text[s:e], re.IGNORECASE):
                for code in article.countries_in(s, e):
                    if code not in {c.code for c in main.countries}:
                        main.countries.append(CountryRole(code, "participant"))
    if main.host_country and not any(c.role == "host" for c in main.countries):
        main.countries.insert(0, CountryRole(main.host_country, "host"))
        main.countries = [
            c for i, c in enumerate(main.countries) if not (i and c.code == main.host_country)
        ]
    if not main.countries or len(main.countries) < 2:
        for code in article.top_countries(2):
            if code not in {c.code for c in main.countries}:
                main.countries.append(
                    CountryRole(code, "guest" if main.host_country else "participant")
                )
    if not main.title:
        main.title = _main_title(ctx, main)


def _main_title(ctx: _Ctx, meeting: MeetingProposal) -> str:
    host = ctx.gazetteer.country(meeting.host_country) if meeting.host_country else None
    guest_code = next((c.code for c in meeting.countries if c.role == "guest"), "")
    guest_person = next(
        (
            p.name
            for p in meeting.persons
            if ctx.gazetteer.person(p.slug) and ctx.gazetteer.person(p.slug).country == guest_code
        ),
        "",
    )
    kind = meeting.kind.replace("_", " ").capitalize()
    if meeting.kind.endswith("visit"):
        who = f"of {guest_person} " if guest_person else ""
        return f"{kind} {who}to {host.name if host else 'an unnamed country'}".replace("  ", " ")
    names = [p.name for p in meeting.persons[:2]]
    if len(names) < 2:
        countries = [ctx.gazetteer.country(c.code) for c in meeting.countries[:2]]
        names = [c.name for c in countries if c is not None]
    return f"Talks between {' and '.join(names)}" if len(names) == 2 else "Talks"


# -- packages and documents ----------------------------------------------------------------


def _packages(ctx: _Ctx, meetings: list[MeetingProposal]) -> list[PackageProposal]:
    article = ctx.article
    text = article.text[: article.limit]
    packages: list[PackageProposal] = []
    for match in PACKAGE.finditer(text):
        s, e = article.sentence_at(match.start())
        if not SIGN_WORDS.search(text[s:e]):
            continue
        raw = match.group("n1") or match.group("n2")
        count = None
        if raw:
            count = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw.lower())
        q = quote(article, s, e)
        if any(q in p.quotes for p in packages):
            continue
        announced = match.group(0)
        title = f"Package of {count} documents" if count else _cap(announced)
        package = PackageProposal(
            key=f"p{len(packages) + 1}",
            title=title,
            announced_text=announced,
            count=count,
        )
        package.quotes.append(q)
        package.basis["count"] = (
            Basis("stated", "", q, announced)
            if count
            else Basis("inferred", "the text gives no number", q)
        )
        host = [m for m in meetings if m.kind == "ceremony" and q in m.quotes]
        target = host[0] if host else ctx.main
        if target is not None:
            package.meeting = target.key
        packages.append(package)
    return packages


def _doc_title(text: str, start: int, end: int, kind_word: str) -> tuple[str, str, str]:
    """(title, modifiers before the kind word, words after it) of a document mention."""
    before = text[max(0, start - 60) : start]
    tokens = re.findall(r"[\w’'-]+", before)
    pre: list[str] = []
    for token in reversed(tokens):
        lowered = token.lower()
        if (
            lowered in DOC_MODIFIERS
            or re.match(r"^\d+-\w+$", token)
            or ("-" in token and token[0].isalpha() and lowered not in ("long-standing",))
            or (
                token[0].isupper()
                and lowered not in ("the", "a", "an", "this", "that", "in", "on")
            )
        ) and len(pre) < 3:
            pre.insert(0, token)
            continue
        break
    # a capitalised modifier only if it touches the kind word ('Russian-brokered peace ...')
    after = text[end : end + 160]
    post = ""
    lead = re.match(r"\s+(?:on|of|for|to|between|about|regarding|in the field of)\s+", after)
    if lead:
        stop = DOC_POST_STOP.search(after, lead.end())
        post = after[: stop.start() if stop else len(after)].rstrip()
        if len(post) > 120:
            post = ""
    # 'and' inside a capitalised title ('Strategic Partnership and Allied Relations')
    if post:
        rest = after[len(post) :]
        joined = re.match(r"\s+and\s+(?:the\s+)?(?:[A-Z][\w-]*\s*(?:of\s+)?)+", rest)
        if joined:
            post = (post + joined.group(0)).rstrip()
    kind_text = text[start:end]
    title = " ".join([*pre, kind_text]) + post
    return title.strip(), " ".join(pre), post.strip()


def _content(title: str, kind_word: str) -> set[str]:
    # '26-point' says how long a document is, not which one
    words = {w.lower() for w in re.findall(r"[\w-]+", title) if not re.match(r"^\d+-\w+$", w)}
    return words - WEAK_MODIFIERS - {kind_word.lower(), "the", "a", "an", "of", "on", "to", "and"}


def _documents(
    ctx: _Ctx, meetings: list[MeetingProposal], packages: list[PackageProposal]
) -> tuple[list[DocumentProposal], list[StatusEventProposal]]:
    article = ctx.article
    text = article.text[: article.limit]
    docs: list[DocumentProposal] = []
    contents: dict[str, set[str]] = {}
    for match in DOC.finditer(text):
        if match.group("plural"):
            continue
        kind_word = match.group("kind")
        lowered = kind_word.lower()
        kind = DOC_KINDS.get(lowered, DOC_KINDS.get(lowered.replace("é", "e"), "other"))
        s, e = article.sentence_at(match.start())
        before = text[max(s, match.start() - 25) : match.start()].lower()
        # 'in agreement with', 'the document' and verbs are not documents
        if re.search(r"\bin\s+$", before) and lowered == "agreement":
            continue
        if lowered in ("program", "programme") and not re.match(
            r"\s+(?:of|for|on)\b", text[match.end() :]
        ):
            continue
        title, pre, post = _doc_title(text, match.start(), match.end(), kind_word)
        if lowered in ("convention", "contract", "charter", "accord") and not (pre or post):
            continue
        content = _content(title, kind_word)
        q = quote(article, s, e)
        target = None
        bare = not content
        for doc in reversed(docs):
            if doc.kind != kind:
                continue
            other = contents[doc.key]
            if (
                bare
                or not other
                or content <= other
                or other <= content
                or (fuzz.token_set_ratio(" ".join(content), " ".join(other)) >= 90)
            ):
                target = doc
                break
        # 'the agreement' with nothing before it of its kind: a back-reference to a document
        # the text does not name
        if (
            target is None
            and bare
            and re.search(r"\b(?:the|this|that)\s+$", before)
            and kind not in ("joint_statement", "declaration", "treaty")
        ):
            continue
        if target is None:
            target = DocumentProposal(key=f"d{len(docs) + 1}", title=_cap(title), kind=kind)
            target.basis["title"] = Basis("stated", "", q, text[match.start() : match.end()])
            docs.append(target)
            contents[target.key] = content
        elif len(title) > len(target.title) and content:
            target.title = _cap(title)
            contents[target.key] = content | contents[target.key]
        if q not in target.quotes:
            target.quotes.append(q)
        _document_facts(ctx, target, match, q, title)
    events: list[StatusEventProposal] = []
    for doc in docs:
        _document_context(ctx, doc, packages, meetings)
        doc.merge_candidates = _document_candidates(ctx, doc)
        best = doc.merge_candidates[0] if doc.merge_candidates else None
        if best is not None and best.score >= 85 and doc.status:
            known = next(d for d in ctx.gazetteer.documents if d.slug == best.slug)
            if doc.status not in known.statuses:
                basis = doc.basis.get("status")
                events.append(
                    StatusEventProposal(
                        status=doc.status,
                        document=known.slug,
                        date=doc.date,
                        quote=basis.quote if basis else doc.quotes[0],
                        basis=basis,
                    )
                )
    docs += _decisions(ctx, len(docs))
    return docs, events


def _cap(title: str) -> str:
    return title[0].upper() + title[1:] if title else title


def _document_facts(
    ctx: _Ctx, doc: DocumentProposal, match: re.Match[str], q: Quote, title: str
) -> None:
    article = ctx.article
    text = article.text
    s, e = q.start, q.end
    window_start = max(s, match.start() - 70)
    # after the whole title: 'The Treaty on ... between A and B was signed'
    title_end = text.find(title[-20:], match.start()) + min(20, len(title)) if title else -1
    window = text[window_start : min(e, max(match.end(), title_end) + 70)]
    near_before = text[window_start : match.start()]
    status = ""
    evidence = ""
    for name, pattern in STATUS_CUES:
        found = pattern.search(window)
        if found:
            status, evidence = name, found.group(0)
            break
    # 'I would like to note' is politeness, not a plan
    polite = re.compile(r"\b(?:would|should) like to\b|\bI would\b", re.IGNORECASE)
    proposed = PROPOSED_CUES.search(polite.sub(" ", near_before[-45:]))
    if proposed is None and status == "":
        proposed = PROPOSED_CUES.search(polite.sub(" ", window))
    if proposed and status in ("", "signed") and not re.search(r"\b(?:signed|inked)\b", window):
        status, evidence = "proposed", proposed.group(0)
    anniversary = ANNIVERSARY_OF.search(text[max(s, match.start() - 40) : match.start()])
    if anniversary and ctx.ref.year:
        n = int(anniversary.group("n"))
        status = status or "signed"
        value = DateValue(
            dt.date(ctx.ref.year - n, 1, 1),
            None,
            "year",
            "inferred",
            f"its {n}th anniversary falls in {ctx.ref.year} ({ctx.ref.reasoning})",
            anniversary.group(0).strip(),
            window_start,
        )
        doc.date = doc.date or value
        doc.basis.setdefault("date", Basis("inferred", value.reasoning, q))
        if "status" not in doc.basis:
            doc.status = status
            doc.basis["status"] = Basis(
                "inferred", "an anniversary is kept of a concluded document", q
            )
    if (status and "status" not in doc.basis) or (status == "signed" and doc.status == "proposed"):
        doc.status = status
        doc.basis["status"] = Basis("stated", "", q, evidence)
    for name, pattern in CONCLUSION_CUES:
        found = pattern.search(window)
        if found and doc.conclusion == "unknown":
            doc.conclusion = name
    if doc.date is None and status in ("signed", "initialed", "in_force"):
        value = date_near(ctx, match.start(), skip_years=False)
        if value is not None:
            doc.date = value
            doc.basis["date"] = date_basis(article, value)
    if doc.date is None and status == "":
        value = date_near(ctx, match.start(), skip_years=False)
        if value is not None and value.precision == "year" and value.basis == "stated":
            doc.date = value
            doc.basis["date"] = date_basis(article, value)
    # parties: countries the title names ('between Azerbaijan and Armenia'), mediators
    brokered = re.search(r"(\w+)-(?:brokered|mediated)", title)
    mediator = ""
    if brokered:
        mediator = next((m.value for m in article.countries if m.text == brokered.group(1)), "")
    title_codes = [
        c
        for c in article.countries_in(max(s, match.start() - 60), min(e, match.end() + len(title)))
        if c != mediator
    ]
    if not doc.parties and title_codes:
        doc.parties = [CountryRole(c, "party") for c in title_codes[:3]]
        doc.basis["parties"] = Basis("inferred", "the countries named with the document", q)
    if mediator and not any(p.code == mediator for p in doc.parties):
        doc.parties.append(CountryRole(mediator, "mediator"))


def _document_context(
    ctx: _Ctx,
    doc: DocumentProposal,
    packages: list[PackageProposal],
    meetings: list[MeetingProposal],
) -> None:
    article = ctx.article
    main = ctx.main
    if not any(p.role == "party" for p in doc.parties):
        others = {p.code for p in doc.parties}
        doc.parties = [
            CountryRole(c, "party") for c in article.top_countries(3) if c not in others
        ][:2] + doc.parties
        doc.basis["parties"] = Basis("inferred", "the two countries the text is about")
    for package in packages:
        if any(q in package.quotes for q in doc.quotes):
            doc.package = package.key
            doc.meeting = package.meeting
    if doc.package and not doc.status:
        doc.status = "signed"
        doc.basis["status"] = Basis(
            "inferred", "listed among the documents the text says were signed"
        )
    if (
        main is not None
        and not doc.meeting
        and doc.status in ("signed", "")
        and (
            doc.conclusion in ("issued", "adopted")
            or (doc.status == "signed" and doc.date is None)
        )
    ):
        doc.meeting = main.key
    meeting = next((m for m in meetings if m.key == doc.meeting), None)
    if (
        meeting is not None
        and doc.date is None
        and meeting.date is not None
        and (doc.status == "signed" or doc.conclusion in ("issued", "adopted"))
    ):
        doc.date = DateValue(
            meeting.date.end or meeting.date.start,
            None,
            meeting.date.precision,
            "inferred",
            f"signed or issued at “{meeting.title}”, the meeting the text reports",
        )
        doc.basis["date"] = Basis("inferred", doc.date.reasoning)
    if doc.kind in ("treaty", "declaration", "joint_statement") or doc.conclusion == "issued":
        doc.level = "interstate"
    if re.search(r"intergovernmental", doc.title, re.I):
        doc.level = "intergovernmental"


def _decisions(ctx: _Ctx, offset: int) -> list[DocumentProposal]:
    article = ctx.article
    text = article.text[: article.limit]
    found = []
    for match in DECISION.finditer(text):
        a = [m for m in (*article.countries, *article.cities) if m.start == match.start("a")]
        b = [m for m in (*article.countries, *article.cities) if m.start == match.start("b")]
        if not a or not b:
            continue
        q = sentence_quote(article, match.start())
        what = match.group("what")
        doc = DocumentProposal(
            key=f"d{offset + len(found) + 1}",
            title=f"Decision {what}",
            kind="decision",
            parties=[
                CountryRole(a[0].country or a[0].value, "party"),
                CountryRole(b[0].country or b[0].value, "party"),
            ],
        )
        doc.quotes.append(q)
        doc.basis["title"] = Basis("stated", "", q, match.group(0))
        value = date_near(ctx, match.start(), skip_years=False)
        if value is not None:
            doc.date = value
            doc.basis["date"] = date_basis(article, value)
        doc.merge_candidates = _document_candidates(ctx, doc)
        found.append(doc)
    return found


# -- merge candidates ----------------------------------------------------------------------


def _differences(pairs: dict[str, tuple[object, object]]) -> dict[str, tuple[object, object]]:
    return {k: v for k, v in pairs.items() if v[0] not in (None, "", []) and v[0] != v[1]}


def _document_candidates(ctx: _Ctx, doc: DocumentProposal) -> list[MergeCandidate]:
    candidates = []
    compatible = {"treaty": {"agreement"}, "agreement": {"treaty"}}
    parties = {p.code for p in doc.parties}
    for known in ctx.gazetteer.documents:
        if known.subkind != doc.kind and known.subkind not in compatible.get(doc.kind, set()):
            continue
        score = fuzz.token_set_ratio(doc.title.lower(), known.title.lower())
        if score < 75:
            continue
        if parties and known.countries:
            overlap = len(parties & set(known.countries)) / max(len(parties), 1)
            score = 0.7 * score + 30 * overlap
            # a document of other parties is another document, however like its title
            named = doc.basis.get("parties")
            if (
                named is not None
                and named.reasoning.startswith("the countries named with")
                and len(parties) >= 2
                and not parties <= set(known.countries)
            ):
                score -= 30
        if score < 80:
            continue
        candidates.append(
            MergeCandidate(
                known.slug,
                known.title,
                round(score, 1),
                _differences(
                    {
                        "title": (doc.title, known.title),
                        "kind": (doc.kind, known.subkind),
                        "date": (doc.date.start if doc.date else None, known.date),
                        "status": (doc.status, ", ".join(known.statuses)),
                    }
                ),
            )
        )
    return sorted(candidates, key=lambda c: -c.score)[:3]


def _meeting_candidates(meeting: MeetingProposal, gazetteer: Gazetteer) -> list[MergeCandidate]:
    candidates = []
    codes = {c.code for c in meeting.countries}
    for known in gazetteer.meetings:
        score = 0.0
        if meeting.body and known.body == meeting.body:
            if meeting.session_number and known.session_number == meeting.session_number:
                score = 100
            elif meeting.session_number and known.session_number:
                continue
            elif not meeting.session_number and not known.session_number:
                # an unnumbered, undated session of the same body: likely the same one
                score = 75
            else:
                score = 60
        else:
            if known.subkind != meeting.kind and not (
                known.subkind.endswith("visit") and meeting.kind.endswith("visit")
            ):
                continue
            score = 0.5 * fuzz.token_set_ratio(meeting.title.lower(), known.title.lower())
            if codes and set(known.countries) >= codes:
                score += 25
            if meeting.city and known.city == meeting.city:
                score += 10
        if meeting.date and known.date:
            days = abs((meeting.date.start - known.date).days)
            score += 15 if days <= 3 else (-30 if days > 60 else 0)
        if score < 70:
            continue
        candidates.append(_meeting_candidate(meeting, known, score))
    return sorted(candidates, key=lambda c: -c.score)[:3]


def _meeting_candidate(
    meeting: MeetingProposal, known: KnownRecord, score: float
) -> MergeCandidate:
    return MergeCandidate(
        known.slug,
        known.title,
        round(min(score, 100), 1),
        _differences(
            {
                "kind": (meeting.kind, known.subkind),
                "date": (meeting.date.start if meeting.date else None, known.date),
                "end": (meeting.date.end if meeting.date else None, known.end),
                "city": (meeting.city, known.city),
                "session_number": (meeting.session_number, known.session_number),
            }
        ),
    )
