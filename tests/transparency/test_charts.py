"""The SVG bar chart: accessible name and description, escaping, missing values, no inline style."""

import re
import xml.etree.ElementTree as ET

import pytest

from transparency.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    """The chart must be well-formed XML once the SVG namespace is declared (as the HTML parser does)."""
    return ET.fromstring(str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def chart(**overrides):
    arguments = {
        "title": "Share of people listed",
        "description": "Black: Caribbean 40%, White: British 20%.",
        "rows": [("Black: Caribbean", 40.0, "40%"), ("White: British", 20.0, "20%")],
    }
    return bar_chart(**(arguments | overrides))


def test_chart_is_one_image_named_by_its_title_and_described_by_its_desc():
    svg = parse(chart())
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title.text == "Share of people listed"
    assert desc.text == "Black: Caribbean 40%, White: British 20%."
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("aria-describedby") == desc.get("id")


def test_two_charts_on_one_page_never_share_ids():
    first, second = parse(chart()), parse(chart())
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_one_bar_per_row_with_widths_proportional_to_values():
    svg = parse(chart())
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert len(widths) == 2
    assert widths[0] == pytest.approx(2 * widths[1])
    labels = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "chart-label"]
    assert labels == ["Black: Caribbean", "White: British"]


def test_a_row_without_a_value_prints_its_text_but_draws_no_bar():
    svg = parse(chart(rows=[("Asian: Chinese", None, "fewer than 5"), ("Asian: Indian", 10.0, "10%")]))
    assert len(list(svg.iter(f"{SVG}rect"))) == 1
    values = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "chart-value"]
    assert values == ["fewer than 5", "10%"]


def test_all_values_missing_or_zero_still_draws_a_valid_chart():
    svg = parse(chart(rows=[("A", None, "no baseline"), ("B", 0.0, "0%")]))
    assert [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")] == [0.0]


def test_no_rows_says_so():
    assert "No figures to show." in str(chart(rows=[]))


def test_markup_in_labels_title_description_and_text_stays_inert():
    hostile = '<script>alert("x")</script>'
    markup = str(
        bar_chart(
            title=hostile,
            description=hostile,
            rows=[(hostile, 1.0, hostile)],
            unit=hostile,
            reference=0.5,
            reference_label=hostile,
        )
    )
    assert "<script" not in markup
    assert markup.count("&lt;script&gt;") == 6
    parse(markup)  # still well-formed


def test_no_inline_style_attributes_because_the_csp_forbids_them():
    markup = str(chart(reference=1.0, unit="ratio"))
    assert "style=" not in markup
    assert "<style" not in markup


def test_scales_to_its_container():
    svg = parse(chart())
    assert re.fullmatch(r"0 0 \d+ \d+", svg.get("viewBox"))
    assert svg.get("width") == "100%"
    assert svg.get("height") is None


def test_reference_line_sits_at_its_value_on_the_same_scale_as_the_bars():
    rows = [("Twice", 2.0, "2.0×"), ("Unknown", None, "no ratio: fewer than 5"), ("Half", 0.5, "0.5×")]
    svg = parse(chart(rows=rows, reference=1.0))
    bar_width = float(next(svg.iter(f"{SVG}rect")).get("width"))
    marks = list(svg.iter(f"{SVG}line"))
    assert len(marks) == 2  # one beside each bar, none through the labels or a row's printed text
    assert [float(mark.get("x1")) for mark in marks] == pytest.approx([bar_width / 2] * 2)
    assert "parity" in [text.text for text in svg.iter(f"{SVG}text")]


def test_reference_beyond_every_bar_widens_the_scale():
    svg = parse(chart(rows=[("Small", 0.5, "0.5×")], reference=1.0))
    bar_width = float(next(svg.iter(f"{SVG}rect")).get("width"))
    assert float(next(svg.iter(f"{SVG}line")).get("x1")) == pytest.approx(2 * bar_width)


def test_unit_is_printed_under_the_chart():
    assert "Scale: share of people listed, %" in str(chart(unit="share of people listed, %"))


def test_negative_values_are_refused():
    with pytest.raises(ValueError):
        chart(rows=[("Minus", -1.0, "-1")])
