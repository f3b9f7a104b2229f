"""Joint projects in press texts: joint ventures, funds, named facilities and corridors, cables
and plants to be built, assembly and production, investments, training programmes, culture
days, flights, restoration; each with its place, partners, figures and a milestone read from
the wording ("in the pipeline" proposed, "agreed"/"established" agreed, "already underway"
started, "inaugurated"/"launched" operational).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from seeds.importer.model import (
    Basis,
    CountryRole,
    Figure,
    MergeCandidate,
    MilestoneProposal,
    ProjectProposal,
    Quote,
)

if TYPE_CHECKING:
    from seeds.importer.extract import _Ctx

FACILITY = (
    r"Center|Centre|Corridor|Cable|Pipeline|Railway|Highway|Bridge|Port|Terminal|Hub|Park|"
    r"Plant|Factory|Complex|House|Belt|Hospital|School|Zone|Route"
)
NAMED = re.compile(
    rf"(?P<name>(?:\b[A-Z][\w’'-]*\s+){{1,5}}(?:{FACILITY})\b"
    r"(?:\s+(?:of|for)\s+(?:(?:the|and)\s+|[A-Z][\w’'-]*\s*){1,5})?)"
)
BUILD = re.compile(
    r"\b(?:build|built|construct\w*|set up|lay|laid|launch\w*|commission\w*)\s+"
    r"(?:of\s+)?(?:a|an|the|new)\s+(?P<name>(?:[\w-]+\s+){0,4}?(?:cable|pipeline|railway|railroad|plant|"
    r"factory|complex|refinery|bridge|port|terminal|hub|power station|power plant|highway|"
    r"line|airport|mine))\b(?P<post>\s+(?:in|across|between|to)\s+[^.;,]{2,40})?",
    re.IGNORECASE,
)
NAMED_LOWER = re.compile(
    r"(?P<name>(?:\b[A-Z][\w’'-]*(?:[-–][A-Z][\w’'-]*)?\s+){1,3}(?:[a-z]+\s+){0,2}"
    r"(?:railway|railroad|pipeline|"
    r"highway|road|bridge|cable|power line|canal|tunnel|gas pipeline|oil pipeline)s?)\b"
)
CORRIDOR = re.compile(
    r"\b(?P<name>(?:international\s+)?(?:transport\s+)?corridor\s+[A-Z][\w]*(?:[-–][A-Z]\w*)?)"
)
JOINT_COMPANY = re.compile(
    r"\b(?P<name>Joint\s+(?:[A-Z][\w-]*\s+){0,3}(?:Company|Venture|Enterprise))\b"
)
JV = re.compile(
    r"\bjoint ventures?\b(?P<post>\s+(?:to|for|in|on|that)\s+[^.;,]{3,90})?", re.IGNORECASE
)
FUND = re.compile(
    r"\b(?P<name>(?:[A-Z][\w-]*\s+){0,4}(?i:joint\s+)?(?i:(?:investment|venture|development|"
    r"direct investment)\s+)(?i:fund)|(?i:joint\s+fund))\b"
)
PROJECT = re.compile(r"\bproject\b(?!s)", re.IGNORECASE)
PROJECTS_SCOPED = re.compile(
    r"\bprojects\s+(?P<post>in the (?:fields?|areas?|spheres?|sectors?) of\s+[^.;]{3,160}|"
    r"in\s+(?:the\s+)?[A-Z][\w-]+[^.;]{0,100})"
)
DAYS = re.compile(
    r"(?P<name>(?:\b[A-Z][\w-]*\s+){1,3}(?:Culture|Cultural|Cinema|Film|Business|Economic)\s+"
    r"Days?(?:\s+in\s+[A-Z]\w+)?(?:\s+and\s+(?:[A-Z][\w-]*\s+){1,3}(?:Culture|Cultural|Cinema|"
    r"Film|Business|Economic)\s+Days?(?:\s+in\s+[A-Z]\w+)?)?|\bDays of (?:[A-Z]\w+\s+)?Culture\b)"
)
FLIGHTS = re.compile(
    r"\b(?:direct|regular|non-stop)\s+(?:air\s+)?(?:flights|air service|air link)\b"
    r"(?P<post>\s+between\s+[^.;,]{3,60})?",
    re.IGNORECASE,
)
RESTORATION = re.compile(
    r"\b(?:restoration|reconstruction|rebuilding|revival)\s+of\s+(?:the\s+)?"
    r"(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)(?:\s+region)?"
)
ASSEMBLED = re.compile(
    r"\b(?:have|has|had)\s+been\s+(?:already\s+)?(?:assembled|produced|manufactured|built)"
    r"(?:\s+already)?\s+in\s+(?P<place>[A-Z][\w-]+)"
)
ASSEMBLY_OF = re.compile(
    r"\b(?P<what>(?:delivery and\s+)?(?:assembly|production|manufacture|manufacturing))\s+of\s+"
    r"(?P<obj>[^.;]{3,120}?)\s+in\s+(?P<place>[A-Z][\w-]+)"
)
INVEST_IN = re.compile(
    r"\binvest(?:ing|ment|ments|s)?\s+in\s+(?:the\s+)?(?P<what>modernization|modernisation|"
    r"construction|development|expansion|building|reconstruction)\s+of\s+(?P<target>[^.;,]{3,60})"
)
INVESTORS = re.compile(
    r"\b(?:welcome|attract|invite)\s+(?P<adj>[A-Z][\w-]+)\s+(?:investors?|investments?|capital)"
    r"\s+(?:in|to|into)\s+(?P<place>[A-Z][\w-]+)"
)
TRAINING = re.compile(
    r"\btrain(?:ing)?\s+(?:of\s+)?(?P<who>personnel|specialists|students|staff|officers|"
    r"rescuers|doctors|teachers|engineers|pilots)\s+(?:for|from)\s+(?P<place>[A-Z][\w-]+)"
)

MILESTONES = (
    (
        "operational",
        r"\b(?:inaugurated|launched|fully operational|now operational|in operation|"
        r"(?:has|have|was|were) opened|already (?:been )?(?:assembled|produced|"
        r"manufactured)|been already assembled|continue training|"
        r"(?:is|are) (?:already |now )?operat(?:ing|ional))\b",
    ),
    (
        "completed",
        r"\b(?:completed|(?:recently |already |have |has |was |were )built|"
        r"were held|was held|first-day-of-issue)\b",
    ),
    (
        "started",
        r"\b(?:already underway|under way|underway|in progress|under construction|"
        r"launched the construction|began construction|started construction|groundbreaking|"
        r"laid the foundation stone|foundation stone|already working on|implementing|"
        r"construction (?:began|started|has begun)|"
        r"work (?:has|is) (?:begun|started))\b",
    ),
    (
        "agreed",
        r"\b(?:agreed|established|signed|affirmed commitment|committed to|decided|"
        r"designated)\b",
    ),
    (
        "proposed",
        r"\b(?:in the pipeline|being discussed|propos\w+|ready to|prospects?|can "
        r"participate|could|plan(?:s|ned)? to|initiated|expect\w*|under review|"
        r"possibility|would be glad|will)\b",
    ),
)
ORDER = ("proposed", "agreed", "started", "operational", "completed")
FIGURE = re.compile(
    r"(?P<q>[Aa]round|[Aa]bout|[Mm]ore than|[Oo]ver|[Aa]lmost|[Nn]early|[Uu]p to|[Ss]ome)?\s*"
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>million|billion|thousand)?\s+"
    r"(?P<unit>(?:[a-z]+\s+){0,1}(?:children|tractors|vehicles|students|jobs|people|tonnes|"
    r"tons|megawatts|MW|km|kilometres|kilometers|dollars|euros|manat|tenge|units|buses|"
    r"cars|workers|beds|seats|automotive vehicles))"
)
GENERIC = {
    "joint",
    "venture",
    "ventures",
    "project",
    "projects",
    "the",
    "a",
    "an",
    "of",
    "in",
    "to",
    "and",
    "for",
    "on",
    "this",
    "that",
    "with",
    "fund",
}
GIFT = re.compile(r"\bgift\b", re.IGNORECASE)


# stems of words any project may have ('investment', 'construction'): they name no project
GENERIC_STEMS = {"invest", "constr", "develo", "cooper", "implem", "build", "new"}


def _stems(name: str, ignore: set[str]) -> set[str]:
    words = re.findall(r"[\w-]+", name.lower())
    return {
        w[:6]
        for w in words
        if w not in GENERIC and w[:6] not in ignore and w[:6] not in GENERIC_STEMS and len(w) > 2
    }


def extract_projects(ctx: _Ctx) -> list[ProjectProposal]:
    from seeds.importer.extract import quote, sentence_quote

    article = ctx.article
    text = article.text[: article.limit]
    org_spans = [(m.start, m.end) for m in article.organizations]
    country_words = {m.text.lower()[:6] for m in article.countries}
    country_words |= {m.text.lower()[:6] for m in article.cities}
    hits: list[tuple[int, int, str, str]] = []  # (start, end, kind, name)

    def add(start: int, end: int, kind: str, name: str, named: bool = False) -> None:
        # 'Ganja Auto Plant' is an organization of the gazetteer, not a project
        if named and any(s <= start < e or start <= s < end for s, e in org_spans if e - s > 6):
            return
        name = re.sub(r"^(?:The|A|An|In|On|Our|This|That|During)\s+", "", name.strip())
        name = re.sub(r"\s+", " ", name).strip(" ,")
        # the name ends where the clause's verb begins
        name = re.split(r"\s+(?:is|are|was|were|will|has|have|had|being)\b", name)[0]
        if name:
            hits.append((start, end, kind, name))

    for m in NAMED.finditer(text):
        name = m.group("name").strip()
        if re.match(r"^(?:Palace|University|Ministry|Council|Commission)\b", name):
            continue
        last = re.search(rf"\b({FACILITY})\b", name).group(1)
        kind = {
            "House": "trade_house",
            "Plant": "assembly_plant",
            "Factory": "assembly_plant",
        }.get(
            last,
            "infrastructure"
            if last
            in (
                "Corridor",
                "Cable",
                "Pipeline",
                "Railway",
                "Highway",
                "Bridge",
                "Port",
                "Terminal",
                "Belt",
                "Route",
                "Hub",
            )
            else "other",
        )
        add(m.start("name"), m.end("name"), kind, name, named=True)
    for m in NAMED_LOWER.finditer(text):
        add(m.start("name"), m.end("name"), "infrastructure", m.group("name"), named=True)
    for m in BUILD.finditer(text):
        add(m.start("name"), m.end(), "infrastructure", m.group("name") + (m.group("post") or ""))
    for m in CORRIDOR.finditer(text):
        add(m.start(), m.end(), "infrastructure", m.group("name"))
    for m in JOINT_COMPANY.finditer(text):
        add(m.start(), m.end(), "joint_venture", m.group("name"))
    for m in JV.finditer(text):
        add(m.start(), m.end(), "joint_venture", "Joint venture" + (m.group("post") or ""))
    for m in FUND.finditer(text):
        add(m.start(), m.end(), "fund", m.group("name"))
    for m in PROJECT.finditer(text):
        before = text[max(0, m.start() - 60) : m.start()]
        tokens = re.findall(r"[\w’'-]+", before)
        pre: list[str] = []
        for token in reversed(tokens):
            if token.lower() in (
                "a",
                "an",
                "the",
                "this",
                "that",
                "its",
                "their",
                "our",
                "such",
                "implementing",
                "is",
                "are",
                "of",
                "to",
                "in",
            ):
                if token.lower() == "of" and pre and pre[0][0].isupper():
                    pre.insert(0, token)
                    continue
                break
            if len(pre) >= 4:
                break
            pre.insert(0, token)
        post_match = re.match(r"\s+(?:to|of|for|on|in)\s+[^.;,]{3,90}", text[m.end() :])
        post = ""
        if post_match:
            post = re.split(r"\s+(?:is|are|was|were|will|has|have|\w+ed)\b", post_match.group(0))[
                0
            ]
        pre = [t for t in pre if not re.match(r"^\w+['’]s$", t)] if pre else pre
        if not pre and not post:
            continue
        start = m.start() - len(" ".join(pre)) - 1 if pre else m.start()
        kind = (
            "assembly_plant" if re.search(r"assembl|manufactur", " ".join(pre) + post) else "other"
        )
        add(max(0, start), m.end() + len(post), kind, " ".join([*pre, "project"]) + post)
    for m in PROJECTS_SCOPED.finditer(text):
        before = text[max(0, m.start() - 50) : m.start()]
        pre = re.search(r"((?:[\w-]+\s+){0,4})$", before).group(1).strip()
        pre = re.sub(r"^.*\b(?:implementing|in|on|of|to)\s+", "", pre)
        add(m.start() - len(pre), m.end(), "other", f"{pre} projects {m.group('post')}".strip())
    for m in DAYS.finditer(text):
        add(m.start(), m.end(), "programme", m.group("name"))
    for m in FLIGHTS.finditer(text):
        add(m.start(), m.end(), "other", m.group(0))
    for m in RESTORATION.finditer(text):
        add(m.start(), m.end(), "other", m.group(0))
    for m in ASSEMBLED.finditer(text):
        s, _e = article.sentence_at(m.start())
        objects = re.findall(
            r"\d[\d,.]*\s+([a-z]+(?:\s+(?!and\b|have\b|has\b)[a-z]+)?)", text[s : m.start()]
        )
        what = " and ".join(o.strip() for o in objects) or "products"
        add(s, m.end(), "assembly_plant", f"Assembly of {what} in {m.group('place')}")
    for m in ASSEMBLY_OF.finditer(text):
        add(m.start(), m.end(), "assembly_plant", m.group(0))
    for m in INVEST_IN.finditer(text):
        add(
            m.start(),
            m.end(),
            "other",
            f"Investment in the {m.group('what')} of {m.group('target')}",
        )
    for m in INVESTORS.finditer(text):
        add(m.start(), m.end(), "other", f"{m.group('adj')} investment in {m.group('place')}")
    for m in TRAINING.finditer(text):
        add(
            m.start(), m.end(), "programme", f"Training of {m.group('who')} for {m.group('place')}"
        )

    hits.sort()
    # one hit per span: the longest wins where two patterns found the same words
    kept: list[tuple[int, int, str, str]] = []
    for hit in sorted(hits, key=lambda h: -(h[1] - h[0])):
        if any(hit[0] < k[1] and k[0] < hit[1] for k in kept):
            continue
        kept.append(hit)
    kept.sort()

    projects: list[ProjectProposal] = []
    stems: dict[str, set[str]] = {}
    places: dict[str, str] = {}
    for start, end, kind, name in kept:
        s, e = article.sentence_at(start)
        q = quote(article, s, e)
        place = _location(ctx, start, end, e)
        own = _stems(name, country_words)
        target = None
        for project in projects:
            other = stems[project.key]
            same_place = places[project.key] == place or not place or not places[project.key]
            if name.lower() == project.name.lower() or (
                own
                and other
                and same_place
                and (
                    fuzz.token_set_ratio(" ".join(sorted(own)), " ".join(sorted(other))) >= 90
                    or (
                        project.kind == kind
                        and place
                        and places[project.key] == place
                        and len(own & other) >= max(1, min(len(own), len(other)) / 2)
                    )
                )
            ):
                target = project
                break
        if target is None:
            target = ProjectProposal(key=f"j{len(projects) + 1}", name=_cap(name), kind=kind)
            target.basis["name"] = Basis("stated", "", q, text[start:end])
            projects.append(target)
            stems[target.key] = own
            places[target.key] = place
        elif len(name) > len(target.name) and kind == target.kind:
            target.name = _cap(name)
        if q not in target.quotes:
            target.quotes.append(q)
        _facts(ctx, target, start, end, q, place)
    # a named project mentioned again in other words of case ('Silk Road economic belt')
    for project in projects:
        for m in re.finditer(re.escape(project.name), text, re.IGNORECASE):
            q = sentence_quote(article, m.start())
            if q not in project.quotes:
                project.quotes.append(q)
        _finish(ctx, project)
    return projects


def _cap(name: str) -> str:
    return name[0].upper() + name[1:] if name else name


def _location(ctx: _Ctx, start: int, end: int, sentence_end: int) -> str:
    """The place of a project: a city or country right after 'in' in or after its name."""
    article = ctx.article
    text = article.text
    window_end = min(sentence_end, end + 40)
    for mention in sorted((*article.cities, *article.countries), key=lambda m: m.start):
        if start <= mention.start < window_end and mention.form != "adjective":
            before = text[max(start, mention.start - 8) : mention.start]
            if re.search(r"\bin\s+(?:the\s+)?$", before):
                return mention.value
    match = re.search(r"\bin\s+([A-Z][\w-]+)", text[start:window_end])
    if match:
        return match.group(1)
    return ""


def _facts(
    ctx: _Ctx, project: ProjectProposal, start: int, end: int, q: Quote, place: str
) -> None:
    article = ctx.article
    text = article.text
    sentence = q.text
    if place and not (project.city or project.location_country):
        # the words in this sentence that name the place (not an adjective elsewhere)
        city = next(
            (c for c in article.cities if c.value == place and q.start <= c.start < q.end), None
        )
        country = next(
            (
                c
                for c in article.countries
                if c.value == place and q.start <= c.start < q.end and c.form != "adjective"
            ),
            None,
        )
        if city is not None:
            project.city, project.location_country = city.value, city.country
            project.basis["city"] = Basis("stated", "", q, city.text)
        elif country is not None:
            project.location_country = country.value
            project.basis["location_country"] = Basis("stated", "", q, country.text)
        elif len(place) == 2 and place.isupper():
            project.location_country = place
            project.basis["location_country"] = Basis("inferred", "named as the place", q)
        elif place in q.text:
            project.city = place
            project.basis["city"] = Basis("stated", "", q, place)
    if GIFT.search(sentence) and project.kind == "other":
        project.kind = "gift"
    # the wording nearest the project's words: a sentence may name two projects at two stages
    cues = []
    for kind, pattern in MILESTONES:
        for found in re.finditer(pattern, sentence, re.IGNORECASE):
            at = q.start + found.start()
            distance = 0 if start <= at < end else min(abs(at - start), abs(at - end))
            # at equal distance the longer wording ('launched the construction') wins
            cues.append((distance, -len(found.group(0)), kind, found.group(0)))
    if cues:
        _distance, _rank, kind, cue = min(cues)
        if not any(m.kind == kind and m.quote == q for m in project.milestones):
            project.milestones.append(
                MilestoneProposal(
                    kind, cue, None, q, Basis("stated", f"the wording “{cue}”", q, cue)
                )
            )
    for m in FIGURE.finditer(sentence):
        raw = m.group("n").replace(",", "")
        value = float(raw)
        scale = {"thousand": 1e3, "million": 1e6, "billion": 1e9}.get(m.group("scale") or "", 1)
        figure = Figure(
            m.group(0).strip(), value * scale, m.group("unit"), (m.group("q") or "").lower()
        )
        if figure.text not in {f.text for f in project.figures}:
            project.figures.append(figure)
    for org in article.organizations:
        if q.start <= org.start < q.end and org.value not in project.organizations:
            project.organizations.append(org.value)
    del text


def _finish(ctx: _Ctx, project: ProjectProposal) -> None:
    article = ctx.article
    partners = article.top_countries(2)
    host = project.location_country
    roles = []
    if host:
        roles.append(CountryRole(host, "host"))
    for code in partners:
        if code != host:
            roles.append(CountryRole(code, "donor" if project.kind == "gift" else "partner"))
    project.countries = roles
    project.basis.setdefault(
        "countries", Basis("inferred", "the countries the text is about, and the place named")
    )
    project.milestones.sort(key=lambda m: ORDER.index(m.kind))
    project.merge_candidates = _candidates(ctx, project)


def _candidates(ctx: _Ctx, project: ProjectProposal) -> list[MergeCandidate]:
    found = []
    for known in ctx.gazetteer.projects:
        score = fuzz.token_set_ratio(project.name.lower(), known.title.lower())
        if project.city and known.city == project.city:
            score += 10
        if score < 75:
            continue
        differences = {
            k: v
            for k, v in {
                "name": (project.name, known.title),
                "kind": (project.kind, known.subkind),
                "city": (project.city, known.city),
                "milestones": (
                    ", ".join(m.kind for m in project.milestones),
                    ", ".join(known.statuses),
                ),
            }.items()
            if v[0] and v[0] != v[1]
        }
        found.append(
            MergeCandidate(known.slug, known.title, round(min(score, 100), 1), differences)
        )
    return sorted(found, key=lambda c: -c.score)[:3]
