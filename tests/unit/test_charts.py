"""The server-drawn charts: well-formed SVG, one dot per known value, figures in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from storefront.kpis.charts import Band, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_a_line_has_one_dot_per_known_value_and_breaks_at_gaps():
    values = [Fraction(1), Fraction(3), None, Fraction(2), Fraction(5, 2)]
    labels = [f"week {n}: {v}" for n, v in enumerate(values)]
    svg = parse(line_chart(values, labels, title="Conversion <test>"))
    assert svg.tag == f"{SVG}svg"
    assert svg.find(f"{SVG}title").text == "Conversion <test>"
    assert len(svg.findall(f"{SVG}circle")) == 4
    lines = svg.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert "week 3: 2" in svg.find(f"{SVG}desc").text


def test_bands_are_drawn_behind_the_line_inside_the_chart():
    bands = [Band(Fraction(4), None, "zone-healthy"), Band(Fraction(0), Fraction(1), "zone-alert")]
    svg = parse(line_chart([Fraction(2)], ["a"], title="t", bands=bands, height=90))
    rects = svg.findall(f"{SVG}rect")
    assert [r.get("class") for r in rects] == ["zone-healthy", "zone-alert"]
    for rect in rects:
        assert float(rect.get("y")) >= 0 and float(rect.get("y")) + float(rect.get("height")) <= 90


def test_no_value_at_all_draws_an_empty_chart():
    svg = parse(line_chart([None, None], ["a: no data", "b: no data"], title="t"))
    assert svg.findall(f"{SVG}circle") == [] and svg.findall(f"{SVG}polyline") == []


def test_bars_are_proportional_and_labelled():
    svg = parse(
        bar_chart(
            [("Shop", 300, "3 €"), ("Stand", 150, "1,50 €"), ("Distributors", 0, "0 €")],
            title="Sales",
        )
    )
    widths = [float(r.get("width")) for r in svg.findall(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    texts = [t.text for t in svg.findall(f"{SVG}text")]
    assert texts == ["Shop", "3 €", "Stand", "1,50 €", "Distributors", "0 €"]
    assert svg.find(f"{SVG}desc").text == "Shop: 3 €; Stand: 1,50 €; Distributors: 0 €"


def test_names_are_escaped():
    svg = parse(bar_chart([("<b>&", 1, "x")], title="<t>"))
    assert svg.find(f"{SVG}text").text == "<b>&"
