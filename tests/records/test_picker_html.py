"""The pickers write their <select> themselves (records/listing.Picker.render) for speed; what
they write is what Django's own select templates write, but for the blank lines."""

import copy
import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from records import listing
from records.listing import MultiplePicker, Picker

CHOICES = [
    ("", "Any"),
    ("kz", "Kazakhstan"),
    ("a-b", 'Quotes " and <tags> & ampersands'),
    ("safe", mark_safe("<b>already safe</b>")),
    ("Group <g>", [("g1", "G & 1"), ("g2", "G2")]),
]


# Plain (value, name) pairs, as the pickers get them from the database: the quick path, with
# the options escaped once per process (records/listing.option_lines).
FLAT = [
    ("", "Any"),
    ("kz", "Kazakhstan"),
    ("a-b", 'Quotes " and <tags> & ampersands'),
    ("KZ", "Upper case"),
    ("g2", "G2"),
]


def djangos(widget, name, value, attrs):
    base = forms.SelectMultiple if isinstance(widget, MultiplePicker) else forms.Select
    rendered = base.render(widget, name, value, attrs)
    return re.sub(r"\n\s*\n", "\n", rendered)


@pytest.mark.parametrize("choices", [CHOICES, FLAT], ids=["groups", "flat"])
@pytest.mark.parametrize("widget_class", [Picker, MultiplePicker])
@pytest.mark.parametrize("value", ["kz", ["KZ", "g2"], ["a-b", "g2"], "", None, "missing"])
def test_a_picker_writes_what_djangos_select_template_writes(widget_class, value, choices):
    widget = widget_class(
        {"data-complete": "true", "disabled": True, "hidden": False},
        choices=list(choices),
        search_url="/api/v1/countries/?a=1&b=2",
        value_key="code",
        label_key="name",
    )
    attrs = {"id": "id_country", "aria-describedby": "help-'x'"}
    assert widget.render("country", value, attrs) == djangos(widget, "country", value, attrs)


def test_a_selected_name_is_marked_and_text_is_escaped():
    widget = Picker(choices=CHOICES)
    html = widget.render("person", "a-b")
    assert '<option value="a-b" selected>Quotes &quot; and &lt;tags&gt; &amp; ampersands' in html
    assert "<b>already safe</b>" in html
    assert html.startswith('<select name="person" class="picker"')
    assert html.count("<option") == 6


def test_plain_names_are_neither_normalized_again_nor_lost_by_a_copy(monkeypatch):
    def refuse(value):
        raise AssertionError("normalize_choices() called for plain (value, name) pairs")

    monkeypatch.setattr(listing, "normalize_choices", refuse)
    widget = Picker(choices=list(FLAT))
    copied = copy.deepcopy(widget)
    assert copied.choices == FLAT
    assert copied.render("country", "kz") == widget.render("country", "kz")
    assert '<option value="kz" selected>Kazakhstan</option>' in copied.render("country", "kz")


def test_a_fields_parameters_are_its_name_and_its_suffixed_names_in_a_stable_order():
    from django.http import QueryDict

    params = listing.field_params
    one = QueryDict("year_max=2&q=x&year=1&yearly=3&year_min=0")
    other = QueryDict("year_min=0&year=1&year_max=2")
    assert params(one, "year") == params(other, "year")
    assert "yearly" not in params(one, "year") and "'q'" not in params(one, "year")
    assert params(QueryDict("year=1"), "year") != params(QueryDict("year=2"), "year")
    assert params(QueryDict("country=AZ&country=KZ"), "country") != params(
        QueryDict("country=KZ"), "country"
    )
    assert params(QueryDict(""), "year") == params(QueryDict("q=x"), "year")
