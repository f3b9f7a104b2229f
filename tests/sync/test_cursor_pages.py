"""Lists ordered by `updated` page by cursor, so that a sync that edits (or sees edited)
records while it pages skips none."""

import pytest

from summits.models import Meeting


def follow(client, url: str, edit_after_first=None) -> list[str]:
    slugs, first = [], True
    while url:
        body = client.get(url).json()
        slugs += [record["slug"] for record in body["results"]]
        if first and edit_after_first is not None:
            edit_after_first(slugs)
        first = False
        url = body["next"]
    return slugs


def test_edits_during_a_cursor_sync_skip_nothing(seeded, client):
    """Ascending, as a sync pages: an edited record moves ahead of the cursor, so it comes
    again. (Descending, an edited record moves behind the cursor; the next sync gets it.)"""
    everything = set(Meeting.objects.published().values_list("slug", flat=True))

    def edit(seen: list[str]) -> None:
        # Edited while the client is between pages: records it saw and records it did not.
        for meeting in Meeting.objects.published().order_by("pk"):
            meeting.summary += " (edited)"
            meeting.save()

    slugs = follow(client, "/api/v1/meetings/?ordering=updated&page_size=2", edit)
    assert everything <= set(slugs)


def test_page_numbers_would_have_skipped(seeded, client):
    """Why the cursor: the same edit under page numbers loses a record."""
    everything = set(Meeting.objects.published().values_list("slug", flat=True))
    slugs = []
    for page in range(1, 100):
        response = client.get(f"/api/v1/meetings/?ordering=updated&page_size=2&page={page}")
        if response.status_code == 404:
            break
        slugs += [record["slug"] for record in response.json()["results"]]
        if page == 1:
            first = Meeting.objects.get(slug=slugs[0])
            first.summary += " (edited)"
            first.save()
    assert everything - set(slugs)


def test_descending_cursor_pages_list_everything_once(seeded, client):
    slugs = follow(client, "/api/v1/meetings/?ordering=-updated&page_size=2")
    assert len(slugs) == len(set(slugs)) == Meeting.objects.published().count()


def test_cursor_pages_keep_the_envelope(seeded, client):
    body = client.get("/api/v1/meetings/?ordering=updated&page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == Meeting.objects.published().count()
    assert "cursor=" in body["next"] and "page=" not in body["next"]
    paged = client.get("/api/v1/meetings/?ordering=updated&page_size=2&page=2").json()
    assert "page=3" in paged["next"]


@pytest.mark.parametrize("cursor", ["nonsense", "bm9uc2Vuc2U", "MjAyNi0wMS0wMXwx", "%00"])
def test_a_bad_cursor_is_a_400(seeded, client, cursor):
    response = client.get(f"/api/v1/meetings/?ordering=updated&cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()
