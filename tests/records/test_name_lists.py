"""Lists of names (aliases) are typed one name a line, not as JSON."""

import pytest
from django.core.exceptions import ValidationError

from records.input_checks import NameListField, names_from_lines


def test_names_from_lines_drops_blanks_and_repeats_and_tidies_spaces():
    text = "Mirziyoyev\n\n  Shavkat   Mirziyoyev \r\nmirziyoyev\nШавкат Мирзиёев\n"
    assert names_from_lines(text) == ["Mirziyoyev", "Shavkat Mirziyoyev", "Шавкат Мирзиёев"]


def test_a_plain_name_is_not_json_and_is_accepted():
    assert NameListField(required=False).clean("Mirziyoyev") == ["Mirziyoyev"]


def test_the_field_shows_a_list_one_name_a_line_and_knows_when_it_changed():
    field = NameListField(required=False)
    assert field.prepare_value(["A", "B"]) == "A\nB"
    assert not field.has_changed(["A", "B"], "A\r\nB\n\n")
    assert field.has_changed(["A", "B"], "B\nA")
    assert field.clean("") == []


@pytest.mark.parametrize("text", ["bad\x00name", "x" * 301])
def test_unstorable_or_overlong_names_are_refused(text):
    with pytest.raises(ValidationError):
        NameListField(required=False).clean(text)
