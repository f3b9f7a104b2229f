"""A quote that fails says why: records/quotes.py, without the database."""

import pytest

from records.quotes import (
    MIN_QUOTE_WORDS,
    Difference,
    Verdict,
    check_quote,
    fold,
    occurrence_number,
)

SOURCE = (
    "Tashkent, 21 October. The Presidents signed the Agreement on strategic partnership. "
    "Shavkat Mirziyoyev said: “We agreed on the Uzbekistan–Azerbaijan сouncil.” "
    "The sides signed the agreement. The sides signed the agreement.\u00a0Both\u00a0leaders "
    "met the press in the Kremlin's hall."
)


def kinds(check) -> list[Difference]:
    return [divergence.kind for divergence in check.divergences]


def test_verbatim_once_is_exact():
    check = check_quote(SOURCE, "signed the Agreement on strategic partnership")
    assert check.verdict is Verdict.EXACT
    assert check.found and not check.fixable
    (only,) = check.occurrences
    assert SOURCE[only.start : only.end] == "signed the Agreement on strategic partnership"


@pytest.mark.parametrize(
    "dash", ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63"]
)
def test_every_kind_of_dash_is_typographic(dash):
    quote = f"on the Uzbekistan{dash}Azerbaijan сouncil"
    check = check_quote(SOURCE, quote)
    if dash == "\u2013":
        assert check.verdict is Verdict.EXACT
        return
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert check.fixable
    assert kinds(check) == [Difference.DASH]
    assert check.closest.text == "on the Uzbekistan–Azerbaijan сouncil"
    assert "in “Uzbekistan–Azerbaijan" in check.summary()
    assert "En dash" in check.summary()


@pytest.mark.parametrize("mark", ['"', "„", "«", "‘", "'", "＂"])
def test_quote_marks_of_every_kind_are_typographic(mark):
    check = check_quote(SOURCE, f"said: {mark}We agreed on the")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.QUOTE_MARK]
    assert check.closest.text == "said: “We agreed on the"


def test_straight_apostrophe_for_a_curly_one():
    source = "He visited the Kremlin’s hall on Monday."
    check = check_quote(source, "visited the Kremlin's hall")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.QUOTE_MARK]
    assert "Right single quotation mark" in check.summary()


def test_no_break_spaces_are_named():
    check = check_quote(SOURCE, "the agreement. Both leaders met")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.SPACE, Difference.SPACE]
    assert "No-break space" in check.summary()
    assert check.closest.text == "the agreement.\u00a0Both\u00a0leaders met"


def test_extra_and_missing_spaces():
    extra = check_quote(SOURCE, "signed  the Agreement on")
    assert extra.verdict is Verdict.TYPOGRAPHIC
    assert kinds(extra) == [Difference.SPACE]
    assert "extra" in extra.summary()
    spaced = check_quote(SOURCE, "on the Uzbekistan – Azerbaijan сouncil")
    assert spaced.verdict is Verdict.TYPOGRAPHIC
    assert kinds(spaced) == [Difference.SPACE, Difference.SPACE]
    assert spaced.closest.text == "on the Uzbekistan–Azerbaijan сouncil"


def test_words_split_differently_and_an_extra_word():
    check = check_quote(SOURCE, "the Uzbekistan – Azerbaijan сouncil and")
    assert check.verdict is Verdict.DIFFERENT
    assert Difference.EXTRA_WORD in kinds(check)
    assert "adds “and”" in check.summary()


def test_punctuation_is_not_typographic():
    check = check_quote(SOURCE, "The Presidents signed, the Agreement on")
    assert check.verdict is Verdict.DIFFERENT
    assert kinds(check) == [Difference.PUNCTUATION]
    assert not check.fixable


def test_quote_stopping_before_punctuation_is_compared_without_it():
    check = check_quote(SOURCE, "Presidents signed Agreement on strategic partnership")
    assert check.closest.text == "Presidents signed the Agreement on strategic partnership"


def test_cyrillic_letter_in_a_latin_word_in_the_source():
    check = check_quote(SOURCE, "the Uzbekistan–Azerbaijan council.")
    assert check.verdict is Verdict.TYPOGRAPHIC
    (divergence,) = check.divergences
    assert divergence.kind is Difference.LOOKALIKE
    assert (divergence.source, divergence.typed) == ("с", "c")
    assert "Cyrillic small letter es" in check.summary()
    assert "Latin small letter c" in check.summary()
    assert SOURCE[divergence.at] == "с"


@pytest.mark.parametrize(
    "typed", ["Thе Presidents signed", "The Presidents signеd", "The Рresidents signed"]
)
def test_cyrillic_letter_typed_in_the_quote(typed):
    check = check_quote(SOURCE, typed)
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.LOOKALIKE]
    assert check.closest.text == "The Presidents signed"


def test_greek_look_alikes():
    source = "The KOREA ROAD plan was adopted by both parties."
    check = check_quote(source, "The ΚΟRΕΑ ROAD plan")  # Greek kappa, omicron, epsilon, alpha
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert set(kinds(check)) == {Difference.LOOKALIKE}
    assert "Greek capital letter kappa" in check.summary()


def test_invisible_characters():
    check = check_quote(SOURCE, "signed the Agree\u200bment on")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.INVISIBLE]
    assert "Zero width space" in check.summary()


def test_capitals_are_fixable():
    check = check_quote(SOURCE, "signed the agreement on strategic")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.CASE]
    assert check.closest.text == "signed the Agreement on strategic"


def test_missing_word_is_named_and_not_fixable():
    check = check_quote(SOURCE, "The Presidents signed Agreement on strategic partnership")
    assert check.verdict is Verdict.DIFFERENT
    assert not check.fixable
    (divergence,) = check.divergences
    assert divergence.kind is Difference.MISSING_WORD
    assert divergence.source == "the"
    assert "leaves out “the” after “signed”" in check.summary()
    assert check.closest.text == "The Presidents signed the Agreement on strategic partnership"


def test_extra_word_is_named():
    check = check_quote(SOURCE, "The Presidents signed the new Agreement on strategic")
    assert check.verdict is Verdict.DIFFERENT
    assert kinds(check) == [Difference.EXTRA_WORD]
    assert "adds “new” after “the”" in check.summary()


def test_different_word_is_named():
    check = check_quote(SOURCE, "The Presidents signed the Treaty on strategic partnership")
    assert check.verdict is Verdict.DIFFERENT
    assert kinds(check) == [Difference.OTHER_WORD]
    assert "the source has “Agreement” where the quote has “Treaty”" in check.summary()


def test_missing_word_and_a_look_alike_together():
    check = check_quote(SOURCE, "We agreed on Uzbekistan–Azerbaijan council")
    assert check.verdict is Verdict.DIFFERENT
    assert kinds(check) == [Difference.MISSING_WORD, Difference.LOOKALIKE]


def test_unrelated_text_is_not_found():
    check = check_quote(SOURCE, "heavy rain is expected over the mountains tomorrow")
    assert check.verdict is Verdict.NOT_FOUND
    assert check.closest is None
    assert "right source" in check.summary()


def test_repeated_quote_asks_which():
    check = check_quote(SOURCE, "The sides signed the agreement.")
    assert check.verdict is Verdict.AMBIGUOUS
    first, second = check.occurrences
    assert first.start < second.start
    assert "2 times" in check.summary()
    assert second.before.endswith("The sides signed the agreement. ")
    assert occurrence_number(SOURCE, second.start, second.end) == 2


def test_repeated_typographic_match_lists_every_occurrence():
    check = check_quote(SOURCE, "the sides signed the agreement")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert len(check.occurrences) == 2


@pytest.mark.parametrize("quote", ["Mirziyoyev", "21 October", "the — Agreement"])
def test_too_short(quote):
    check = check_quote(SOURCE, quote)
    assert check.verdict is Verdict.TOO_SHORT
    assert f"at least {MIN_QUOTE_WORDS} words" in check.summary()


def test_empty():
    assert check_quote(SOURCE, "   ").verdict is Verdict.EMPTY


def test_fold_keeps_the_origin_of_each_character():
    folded, origin = fold("A\u00a0–\u200bс")
    assert folded == "a-c"
    assert origin == [0, 2, 4]


def test_russian_text_is_matched_in_its_own_alphabet():
    source = "Президенты подписали Договор о стратегическом партнёрстве."
    check = check_quote(source, "Президенты подписали договор о")
    assert check.verdict is Verdict.TYPOGRAPHIC
    assert kinds(check) == [Difference.CASE]
    missing = check_quote(source, "Президенты подписали о стратегическом")
    assert missing.verdict is Verdict.DIFFERENT
    assert kinds(missing) == [Difference.MISSING_WORD]
