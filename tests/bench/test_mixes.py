"""The benchmark's long-tail mixes (bench/run.py): each server is loaded with its own paths,
the same records and pages on both, and a side whose answers fail gets no ratio."""

from bench import run

INFO = {
    "sample": [(1, "gen-meeting-1"), (2, "gen-meeting-2"), (3, "gen-meeting-3")],
    "countries": [{"country__code": "KZ"}, {"country__code": "AZ"}],
    "years": [2001, 2002],
}
LITE = {
    **INFO,
    "sample": [(11, "gen-meeting-1"), (13, "gen-meeting-3")],
    "countries": [{"country__code": "KZ", "country_id": 117}],
    "meeting_table": "summits_meeting",
    "link_table": "summits_meetingcountry",
    "link_meeting": "meeting_id",
    "link_country": "country_id",
}


def test_each_side_of_a_mix_gets_its_own_paths():
    api, html = run.longtail(INFO, LITE, seed=0)
    for mix, suffix, prefix in ((api, ".json", "/api/v1/meetings/"), (html, "", "/meetings/")):
        pacta, datasette = mix.paths("pacta"), mix.paths("datasette")
        assert not mix.export and not mix.after_save
        assert mix.pacta == pacta[0] and mix.datasette == datasette[0]
        assert len(pacta) == len(datasette)
        assert all(path.startswith(prefix) for path in pacta)
        assert all(path.startswith("/bench") for path in datasette)
        # The same meetings (only those in both files), by slug and by id.
        assert pacta[:2] == [f"{prefix}gen-meeting-1/", f"{prefix}gen-meeting-3/"]
        assert datasette[:2] == [
            f"/bench/summits_meeting/11{suffix}",
            f"/bench/summits_meeting/13{suffix}",
        ]
        # Filters by the countries both sides know.
        assert all("country=KZ" in path for path in pacta if "country=" in path)


def test_a_mix_that_fails_on_one_side_has_no_ratio(monkeypatch, capsys):
    def entry(rps, errors, requests):
        runs = [{"rps": rps, "p50_ms": 1.0, "p99_ms": 2.0, "errors": errors, "requests": requests}]
        return {"status": "ok", "runs": runs}

    rows = {
        "good": {"label": "good", "pacta": entry(300, 0, 3000), "datasette": entry(100, 0, 1000)},
        "bad": {"label": "bad", "pacta": entry(500, 4900, 5000), "datasette": entry(100, 0, 1000)},
    }
    run.summarize(rows, "sqlite")
    assert {key: row["ratio"] for key, row in rows.items()} == {"good": 3.0, "bad": None}
    assert rows["bad"]["pacta"]["errors"] == 4900
    assert "4,900 of 5,000 requests to pacta failed" in capsys.readouterr().out
