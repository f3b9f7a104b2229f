"""The pictures' drawing, without the database: years with data only and marked breaks, a
value on every bar, singular and plural, the network's key."""

import re
from types import SimpleNamespace

from pages.charts import (
    Network,
    Tie,
    YearGap,
    YearRow,
    counted,
    network_key,
    network_svg,
    timeline_svg,
    with_gaps,
)

ROWS = [YearRow(2005, documents=1), YearRow(2023, milestones=1), YearRow(2024, 3, 1, 9)]


def test_skipped_years_become_one_marked_break_each():
    items = with_gaps([*ROWS, YearRow(2025, meetings=2)])
    assert [type(item).__name__ for item in items] == [
        "YearRow",
        "YearGap",
        "YearRow",
        "YearRow",
        "YearRow",
    ]
    assert items[1] == YearGap(2006, 2022)
    assert items[1].label == "2006–2022: nothing recorded"
    assert YearGap(2010, 2010).label == "2010: nothing recorded"


def test_the_timeline_draws_only_years_with_data_and_labels_every_bar():
    drawn = str(timeline_svg(ROWS))
    years = re.findall(r'class="year">(\d{4})<', drawn)
    assert years == ["2005", "2023", "2024"]
    assert "2006–2022: nothing recorded" in drawn
    values = re.findall(r'class="value"[^>]*>(\d+)<', drawn)
    assert sorted(map(int, values)) == [1, 1, 1, 3, 9]
    # The tallest bar takes the span, the others their share of it: no bar passes the frame.
    widths = [float(w) for w in re.findall(r'<rect class="bar[^"]*"[^>]*width="([\d.]+)%"', drawn)]
    assert max(widths) == 68 and all(0 < w <= 68 for w in widths)
    # No viewBox: the text keeps its pixel size at any width.
    assert "viewBox" not in drawn.split("</ul>", 1)[1].split(">", 1)[0]
    assert "<title>2024: 1 document</title>" in drawn
    assert "<title>2024: 3 meetings</title>" in drawn
    assert "years without records left out" in drawn


def test_the_timeline_of_nothing_is_empty():
    assert timeline_svg([]) == ""


def test_counted_says_one_in_the_singular():
    assert counted(1, "meeting", "meetings") == "1 meeting"
    assert counted(0, "meeting", "meetings") == "0 meetings"
    assert counted(2, "meeting", "meetings") == "2 meetings"


def country(pk, code, name):
    return SimpleNamespace(
        pk=pk, code=code, name=name, get_absolute_url=lambda: f"/countries/{code.lower()}/"
    )


def test_the_network_has_a_key_and_speaks_in_the_singular_where_it_should():
    az, kz, tr = (
        country(1, "AZ", "Azerbaijan"),
        country(2, "KZ", "Kazakhstan"),
        country(3, "TR", "Türkiye"),
    )
    net = Network([az, kz, tr], [Tie(az, kz, 6, 3), Tie(az, tr, 1, 0)])
    drawn = str(network_svg(net))
    assert "1 shared meeting, 0 shared documents" in drawn
    assert "Türkiye: 1 shared meeting or document" in drawn
    assert "1 meetings" not in drawn and "1 ties" not in drawn
    key = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(network_key(net))))
    assert "Circle size" in key and "Line width" in key
    # Circles from 1 (Türkiye) to 10 (Azerbaijan: 9 + 1); lines from 1 to 9.
    assert "a country's shared meetings and documents: 1 to 10" in key
    assert "a pair's shared meetings and documents: 1 to 9" in key
    # Names for wide screens, codes for phones.
    assert '<text class="name"' in drawn and '<text class="code"' in drawn
    assert network_key(Network([az], [])) == ""
