"""A source whose licence does not allow republishing its text shows only its cited
passages, each with a sentence of context, and the link to the original."""

from records.excerpts import excerpts, windows
from records.models import Citation, Source, TextUse

SLUG = "azertac-2025-10-21-supreme-interstate-council"


def test_windows_take_a_sentence_either_side_and_merge():
    text = "One. Two has the quote. Three. Four. Five. Six has another. Seven."
    first = text.index("the quote")
    second = text.index("another")
    shown = windows(text, [(first, first + 9), (second, second + 7)])
    assert [text[a:b] for a, b in shown] == [
        "One. Two has the quote. Three.",
        "Five. Six has another. Seven.",
    ]
    near = text.index("Three")
    assert len(windows(text, [(first, first + 9), (near, near + 5)])) == 1
    assert excerpts(text, []) == []


def test_press_texts_are_quotes_only_by_default(seeded, client):
    source = Source.objects.get(slug=SLUG)
    assert source.text_use == TextUse.QUOTES
    body = client.get(f"/api/v1/sources/{SLUG}/").json()
    assert body["text"] == "" and body["text_use"] == "quotes"
    assert body["excerpts"]
    shown = sum(e["end"] - e["start"] for e in body["excerpts"])
    assert shown < len(source.text)
    for excerpt in body["excerpts"]:
        assert source.text[excerpt["start"] : excerpt["end"]] == excerpt["text"]
    for citation in Citation.objects.filter(source=source, start__isnull=False)[:5]:
        # Quotes of published records lie inside an excerpt.
        if citation.record is not None and getattr(citation.record, "is_published", True):
            assert any(
                e["start"] <= citation.start and citation.end <= e["end"] for e in body["excerpts"]
            )

    page = client.get(f"/sources/{SLUG}/").content.decode()
    assert "Cited passages" in page
    assert source.text[-200:].strip().split("\n")[-1] not in page or any(
        source.text[-200:].strip().split("\n")[-1] in e["text"] for e in body["excerpts"]
    )


def test_a_full_text_source_shows_everything(seeded, client):
    Source.objects.filter(slug=SLUG).update(text_use=TextUse.FULL)
    source = Source.objects.get(slug=SLUG)
    assert client.get(f"/api/v1/sources/{SLUG}/").json()["text"] == source.text
    assert "Full text" in client.get(f"/sources/{SLUG}/").content.decode()
