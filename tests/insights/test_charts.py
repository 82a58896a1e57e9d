"""The server-drawn SVG charts: a main figure, with context beside it, and escaped labels."""

from bs4 import BeautifulSoup

from directory import charts


def svg(markup):
    return BeautifulSoup(str(markup), "html.parser").svg


def test_stacked_bars_draw_the_context_after_the_main_figure_against_one_maximum():
    chart = svg(charts.stacked_bar_chart(
        [("Drug & alcohol", 30, 3), ("Helpline", 0, 33)], chart_id="c", title="T", desc="D", maximum=33,
        words=("local", "reachable only"),
    ))
    main = [float(r["width"]) for r in chart.select("rect.bar")]
    context = [(float(r["x"]), float(r["width"])) for r in chart.select("rect.bar-context")]
    track = chart.select_one("rect.bar-track")
    start, area = float(track["x"]), float(track["width"])
    assert main == [round(area * 30 / 33, 1), 0.0]
    assert context[0] == (round(start + area * 30 / 33, 1), round(area * 3 / 33, 1))
    assert context[1] == (start, area)  # nothing local: the whole track is reachable only
    assert [t.get_text() for t in chart.select("text.bar-value")] == [
        "30 local, 3 reachable only", "0 local, 33 reachable only"]
    assert chart.select_one("text.chart-label").get_text() == "Drug & alcohol"
    assert "&amp;" in str(charts.stacked_bar_chart([("A & B", 1, 1)], chart_id="c", title="T", desc="D",
                                                   maximum=1, words=("x", "y")))


def test_heatmap_shades_the_main_figure_and_writes_the_context_beneath():
    grid = charts.Grid(["Barnet", "Camden"], ["Drug"], [[0], [2]], context=[[3], [0]])
    chart = svg(charts.heatmap(grid, chart_id="h", title="T", desc="D"))
    cells = chart.select("rect.cell")
    assert [c["class"][1] for c in cells] == ["level-0", "level-2"]
    assert [t.get_text() for t in chart.select("text.cell-text")] == ["✕", "2"]
    assert [t.get_text() for t in chart.select("text.cell-context")] == ["+3", "+0"]
    assert len(chart.select("rect.cell-plate")) == 1  # the hatched gap gets a plate to read +3 on


def test_heatmap_without_context_is_unchanged():
    chart = svg(charts.heatmap(charts.Grid(["Barnet"], ["Drug"], [[1]]), chart_id="h", title="T", desc="D"))
    assert chart.select("text.cell-context") == [] and chart.select_one("rect.cell")["height"] == "20"
