import pytest
from django.core.exceptions import ValidationError

from records.models import Citation, Source, find_quote
from records.services import citation_create
from summits.models import Meeting

pytestmark = pytest.mark.usefixtures("empty_db")

TEXT = "On October 21, the second meeting was held in Astana. It was held in Astana again."


@pytest.fixture
def source():
    return Source.objects.create(slug="s", title="t", publisher="AZERTAC", text=TEXT)


@pytest.fixture
def meeting():
    return Meeting.objects.create(slug="m", title="m", kind=Meeting.Kind.BODY_SESSION)


def test_offsets_point_at_the_quote(source, meeting):
    citation = citation_create(record=meeting, source=source, quote="held in Astana")
    assert TEXT[citation.start : citation.end] == "held in Astana"
    assert citation.record == meeting


def test_a_later_occurrence_can_be_chosen(source, meeting):
    citation = citation_create(record=meeting, source=source, quote="held in Astana", occurrence=2)
    assert citation.start == TEXT.rindex("held in Astana")


def test_a_quote_missing_from_the_source_is_refused_with_both_named(source, meeting):
    with pytest.raises(ValidationError) as excinfo:
        citation_create(record=meeting, source=source, quote="held in Baku")
    message = str(excinfo.value)
    assert "held in Baku" in message
    assert "“s”" in message
    assert Citation.objects.count() == 0


def test_a_quote_must_match_exactly(source, meeting):
    with pytest.raises(ValidationError):
        citation_create(record=meeting, source=source, quote="held in  Astana")


def test_the_same_text_is_not_stored_twice(source):
    duplicate = Source(slug="again", title="t", publisher="p", text=TEXT)
    with pytest.raises(ValidationError, match="already stored"):
        duplicate.full_clean()


def test_sha256_is_of_the_utf8_text(source):
    import hashlib

    assert source.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()


def test_find_quote_counts_occurrences():
    assert find_quote("abab", "ab", 1) == 0
    assert find_quote("abab", "ab", 2) == 2
    assert find_quote("abab", "ab", 3) == -1
    assert find_quote("abab", "", 1) == -1
