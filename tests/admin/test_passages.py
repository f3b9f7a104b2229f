"""The source editor's text helpers, without a database."""

from records.passages import Span, segments, sentences, uncited_sentences
from records.quotes import check_quote

TEXT = "Astana, October 21.\n\nThe leaders met. They signed 10 documents. A fund was set up!\n"


def test_segments_cover_the_text_and_share_overlaps():
    spans = [Span(21, 37, 1), Span(21, 63, 2)]
    parts = segments(TEXT, spans)
    assert "".join(part.text for part in parts) == TEXT
    assert [(p.text, p.keys, p.ending) for p in parts if p.keys] == [
        ("The leaders met.", (1, 2), (1,)),
        (" They signed 10 documents.", (2,), (2,)),
    ]


def test_segments_ignore_spans_outside_the_text():
    assert segments("abc", [Span(2, 10, 1)]) == segments("abc", [])


def test_sentences_keep_their_offsets():
    found = sentences(TEXT)
    assert [s.text for s in found] == [
        "Astana, October 21.",
        "The leaders met.",
        "They signed 10 documents.",
        "A fund was set up!",
    ]
    for sentence in found:
        assert TEXT[sentence.start : sentence.end] == sentence.text


def test_uncited_sentences_are_those_no_quote_touches():
    spans = [Span(TEXT.index("signed"), TEXT.index("signed") + 6, 1)]
    assert [s.text for s in uncited_sentences(TEXT, spans)] == [
        "Astana, October 21.",
        "The leaders met.",
        "A fund was set up!",
    ]


def test_a_near_miss_finds_the_passage_despite_spacing_case_and_quote_marks():
    text = "He called it a “strategic partnership” — again."
    check = check_quote(text, '"Strategic  partnership" - again')
    assert check.fixable
    assert check.closest.text == "“strategic partnership” — again"
    assert check_quote(text, "a tactical alliance, they said").closest is None
    assert check_quote(text, "   ").closest is None
