from records.models import Source, TextUse
from tests.api.conftest import get_json, slugs

SLUG = "azertac-2025-10-21-supreme-interstate-council"


def test_detail_carries_the_text_and_the_list_does_not(seeded, client):
    Source.objects.filter(slug=SLUG).update(text_use=TextUse.FULL)
    source = get_json(client, f"/api/v1/sources/{SLUG}/")
    record = Source.objects.get(slug=SLUG)
    assert source["text"] == record.text
    assert source["sha256"] == record.sha256
    assert source["publisher"] == record.publisher
    assert source["published_on"] == record.published_on.isoformat()
    listed = next(s for s in get_json(client, "/api/v1/sources/")["results"] if s["slug"] == SLUG)
    assert "text" not in listed
    detail_only = {"text", "text_use", "excerpts"}
    assert {k: v for k, v in source.items() if k not in detail_only} == listed


def test_filters(seeded, client):
    record = Source.objects.get(slug=SLUG)
    assert SLUG in slugs(client, f"/api/v1/sources/?publisher={record.publisher.upper()}")
    assert slugs(client, f"/api/v1/sources/?source={SLUG}") == [SLUG]
    assert SLUG in slugs(client, f"/api/v1/sources/?year={record.published_on.year}")
    assert slugs(client, "/api/v1/sources/?date_from=2030-01-01") == []
    assert SLUG in slugs(client, "/api/v1/sources/?language=en")
    assert SLUG in slugs(client, "/api/v1/sources/?q=Supreme")
