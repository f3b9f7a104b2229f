"""How well the extractor proposes what an analyst curated: `python -m seeds.importer.evaluate`.

Leave one out over the seed texts: for each text, the gazetteer holds the reference data
(countries, persons, organizations, bodies) and the meetings, documents, packages and projects
that the *other* texts cite; the proposals for the text are compared with the records of
seeds/records.yaml that cite it.

- A proposal and a record are paired when the proposal's quotes overlap the record's cited
  passages in the text (one-to-one, best overlap and name likeness first).
- Recall counts the records that a passage of the text supports as a whole (a citation without
  `field`, or a status event or milestone citation); a record cited by the text only for one
  field ("We inaugurated it together", field persons) is not expected from it, unless it has
  no whole-record citation anywhere, when it belongs to its first citation's text.
- Precision counts a proposal as right when it pairs with any record the text cites.
- Meeting dates (start, end and precision), places (city and host), kinds and session numbers
  are checked on paired meetings; "main" is each text's first curated meeting without parent.
- Every `stated` fact is checked: its quote is verbatim at its offsets and contains the words
  that state it (for a date, with the year).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from seeds.importer.extract import extract
from seeds.importer.gazetteer import Gazetteer, read_records, records_to_dict
from seeds.importer.model import Basis, Proposals

SEEDS = Path(__file__).resolve().parent.parent
RECORDS = SEEDS / "records.yaml"
TEXTS = SEEDS / "texts"
KINDS = ("meetings", "documents", "packages", "projects")
TARGETS = {
    "recall": {"meetings": 0.9, "documents": 0.8, "packages": 0.0, "projects": 0.8},
    "precision": {"meetings": 0.8, "documents": 0.8, "packages": 0.8, "projects": 0.8},
}


@dataclass
class TextResult:
    file: str
    seconds: float
    characters: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> tp/expected/...
    meeting_checks: list[dict[str, Any]] = field(default_factory=list)
    main: dict[str, Any] = field(default_factory=dict)
    stated_errors: list[str] = field(default_factory=list)
    missed: dict[str, list[str]] = field(default_factory=dict)
    wrong: dict[str, list[str]] = field(default_factory=dict)


def _cites(record: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """(citation, supports the whole record) pairs of a record and its events."""
    found = [(c, not c.get("field")) for c in record.get("cite") or ()]
    for event in (*(record.get("status_history") or ()), *(record.get("milestones") or ())):
        found += [(c, True) for c in event.get("cite") or ()]
    return found


def _expected(record: dict[str, Any], source: str) -> bool:
    cites = _cites(record)
    if any(whole for _, whole in cites):
        return any(whole and c["source"] == source for c, whole in cites)
    return bool(cites) and cites[0][0]["source"] == source


def _spans(text: str, record: dict[str, Any], source: str) -> list[tuple[int, int]]:
    spans = []
    for cite, _whole in _cites(record):
        if cite["source"] != source:
            continue
        start = text.find(cite["quote"])
        while start >= 0:
            spans.append((start, start + len(cite["quote"])))
            start = text.find(cite["quote"], start + 1)
    return spans


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _name(item: Any) -> str:
    return getattr(item, "title", "") or getattr(item, "name", "")


def pair(
    text: str, proposals: list[Any], records: list[dict[str, Any]], source: str
) -> list[tuple[Any, dict[str, Any]]]:
    """One-to-one pairs of proposals and records whose passages overlap."""
    scored = []
    for proposal in proposals:
        p_spans = [(q.start, q.end) for q in proposal.quotes]
        p_total = sum(e - s for s, e in p_spans) or 1
        for record in records:
            r_spans = _spans(text, record, source)
            shared = _overlap(p_spans, r_spans)
            if not shared:
                continue
            r_total = sum(e - s for s, e in r_spans) or 1
            title = record.get("title") or record.get("name") or ""
            likeness = fuzz.token_set_ratio(_name(proposal).lower(), title.lower()) / 100
            score = likeness + 2 * shared / (p_total + r_total)
            scored.append((score, id(proposal), proposal, record))
    scored.sort(key=lambda item: -item[0])
    used_p: set[int] = set()
    used_r: set[str] = set()
    pairs = []
    for _score, pid, proposal, record in scored:
        if pid in used_p or record["slug"] in used_r:
            continue
        used_p.add(pid)
        used_r.add(record["slug"])
        pairs.append((proposal, record))
    return pairs


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dict) and value.get("date"):
        date = value["date"]
        return date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    return None


def check_meeting(proposal: Any, record: dict[str, Any]) -> dict[str, Any]:
    start = _date(record.get("start"))
    end = _date(record.get("end")) or start
    precision = (record.get("start") or {}).get("precision")
    result: dict[str, Any] = {"slug": record["slug"], "key": proposal.key}
    if start is not None:
        got = proposal.date
        result["date"] = bool(
            got is not None
            and got.start == start
            and got.precision == precision
            and (got.end or got.start) == end
        )
    if record.get("city") or record.get("host_country"):
        result["place"] = (proposal.city or "") == (record.get("city") or "") and (
            proposal.host_country or ""
        ) == (record.get("host_country") or "")
    result["kind"] = proposal.kind == record.get("kind")
    if record.get("session_number"):
        result["session"] = proposal.session_number == record["session_number"]
    return result


def stated_errors(text: str, proposals: Proposals) -> list[str]:
    """Facts marked `stated` whose quote does not say them."""
    errors = []

    def check(owner: str, name: str, basis: Basis | None, value: Any = None) -> None:
        if basis is None or basis.basis != "stated":
            return
        q = basis.quote
        if q is None or text[q.start : q.end] != q.text:
            errors.append(f"{owner}.{name}: stated without a verbatim quote")
            return
        if not basis.evidence or basis.evidence not in q.text:
            errors.append(f"{owner}.{name}: the quote does not contain “{basis.evidence}”")
            return
        if value is not None and str(value.start.year) not in basis.evidence:
            errors.append(f"{owner}.{name}: stated date without its year in the quote")

    for item in proposals.all():
        owner = f"{type(item).__name__}:{item.key}"
        for q in item.quotes:
            if text[q.start : q.end] != q.text:
                errors.append(f"{owner}: quote not verbatim at its offsets")
        for name, basis in item.basis.items():
            check(owner, name, basis, getattr(item, "date", None) if name == "date" else None)
        for milestone in getattr(item, "milestones", ()):
            check(owner, "milestone", milestone.basis)
    for event in proposals.status_events:
        check(f"StatusEvent:{event.document}", "status", event.basis)
    return errors


def evaluate_text(records: dict[str, Any], source: dict[str, Any]) -> TextResult:
    text = (TEXTS / source["file"]).read_text(encoding="utf-8")
    gazetteer = Gazetteer.from_dict(records_to_dict(records, exclude_sources={source["slug"]}))
    published = _date(source.get("published"))
    started = time.perf_counter()
    proposals = extract(
        text, published=published, dateline=source.get("dateline") or None, gazetteer=gazetteer
    )
    result = TextResult(source["file"], time.perf_counter() - started, len(text))
    slug = source["slug"]
    for kind in KINDS:
        items = getattr(proposals, kind)
        relevant = [r for r in records.get(kind) or () if _spans(text, r, slug)]
        expected = [r for r in relevant if _expected(r, slug)]
        pairs = pair(text, items, relevant, slug)
        paired_slugs = {r["slug"] for _, r in pairs}
        paired_keys = {p.key for p, _ in pairs}
        result.counts[kind] = {
            "proposed": len(items),
            "right": len(pairs),
            "expected": len(expected),
            "found": sum(1 for r in expected if r["slug"] in paired_slugs),
        }
        result.missed[kind] = [r["slug"] for r in expected if r["slug"] not in paired_slugs]
        result.wrong[kind] = [_name(p) for p in items if p.key not in paired_keys]
        if kind == "meetings":
            result.meeting_checks = [check_meeting(p, r) for p, r in pairs]
            mains = [r for r in expected if not r.get("parent")]
            if mains:
                main = mains[0]
                check = next((c for c in result.meeting_checks if c["slug"] == main["slug"]), None)
                result.main = {
                    "slug": main["slug"],
                    "date": bool(check and check.get("date")),
                    "place": bool(check and check.get("place")),
                }
    result.stated_errors = stated_errors(text, proposals)
    return result


def evaluate(path: Path = RECORDS) -> list[TextResult]:
    records = read_records(path)
    return [evaluate_text(records, source) for source in records.get("sources") or ()]


def summary(results: list[TextResult]) -> dict[str, Any]:
    totals: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        proposed = sum(r.counts[kind]["proposed"] for r in results)
        right = sum(r.counts[kind]["right"] for r in results)
        expected = sum(r.counts[kind]["expected"] for r in results)
        found = sum(r.counts[kind]["found"] for r in results)
        totals[kind] = {
            "proposed": proposed,
            "right": right,
            "expected": expected,
            "found": found,
            "precision": right / proposed if proposed else 1.0,
            "recall": found / expected if expected else 1.0,
        }
    accuracy = {}
    checks = [c for r in results for c in r.meeting_checks]
    for name in ("date", "place", "kind", "session"):
        values = [c[name] for c in checks if name in c]
        accuracy[name] = (sum(values), len(values))
    return {
        "totals": totals,
        "accuracy": accuracy,
        "main": [r.main for r in results],
        "stated_errors": [e for r in results for e in r.stated_errors],
        "seconds": max(r.seconds for r in results),
        "seconds_per_5000": max(r.seconds / r.characters * 5000 for r in results),
    }


def failures(result: dict[str, Any]) -> list[str]:
    """The targets of issue 14 that `result` misses (empty when all are met)."""
    problems = []
    for kind, row in result["totals"].items():
        if row["recall"] < TARGETS["recall"][kind]:
            problems.append(f"{kind} recall {row['recall']:.2f} < {TARGETS['recall'][kind]}")
        if row["precision"] < TARGETS["precision"][kind]:
            problems.append(
                f"{kind} precision {row['precision']:.2f} < {TARGETS['precision'][kind]}"
            )
    for main in result["main"]:
        if not (main.get("date") and main.get("place")):
            problems.append(f"main meeting {main.get('slug')}: date or place wrong")
    problems += result["stated_errors"]
    return problems


def table(results: list[TextResult]) -> str:
    result = summary(results)
    lines = [
        f"{'':<10} {'proposed':>8} {'right':>6} {'precision':>9} {'expected':>8} "
        f"{'found':>6} {'recall':>7}"
    ]
    for kind, row in result["totals"].items():
        lines.append(
            f"{kind:<10} {row['proposed']:>8} {row['right']:>6} {row['precision']:>9.2f} "
            f"{row['expected']:>8} {row['found']:>6} {row['recall']:>7.2f}"
        )
    lines.append("")
    lines.append("meetings paired with a curated one, accuracy:")
    for name, (good, total) in result["accuracy"].items():
        share = good / total if total else 1.0
        lines.append(f"  {name:<8} {good}/{total} = {share:.2f}")
    lines.append("")
    lines.append("main meetings (date, place):")
    for main in result["main"]:
        marks = ["right" if main.get(k) else "WRONG" for k in ("date", "place")]
        lines.append(f"  {main.get('slug', '?'):<45} date {marks[0]:<6} place {marks[1]}")
    lines.append("")
    lines.append(f"`stated` facts whose quote does not say them: {len(result['stated_errors'])}")
    lines += [f"  {e}" for e in result["stated_errors"]]
    lines.append(
        f"slowest extraction: {result['seconds']:.3f} s "
        f"({result['seconds_per_5000']:.3f} s per 5,000 characters)"
    )
    lines.append("")
    lines.append("per text (missed curated records / proposals with no curated match):")
    for r in results:
        missed = [s for k in KINDS for s in r.missed[k]]
        wrong = [s for k in KINDS for s in r.wrong[k]]
        lines.append(f"  {r.file}: missed {missed or '-'}; unmatched {wrong or '-'}")
    problems = failures(result)
    lines.append("")
    lines.append("targets: " + ("all met" if not problems else "MISSED: " + "; ".join(problems)))
    return "\n".join(lines)


def main() -> int:
    results = evaluate()
    print(table(results))
    return 1 if failures(summary(results)) else 0


if __name__ == "__main__":
    raise SystemExit(main())
