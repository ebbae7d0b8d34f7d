"""Statistics page: the figures of the hand-computed dataset appear, charts render with their series;
every range is read off the GUI thread (CoreOp)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QPieSeries
from PySide6.QtCore import QDate

from tests.core.test_stats import _small
from tests.helpers.core import make_world
from ui.operations import busy
from ui.supervisor.stats_view import StatsPage


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, customer_window=False)
    yield w
    w.ctx.close()


def _loaded(qtbot, page):
    qtbot.waitUntil(lambda: not busy(page) and "毫秒" in page.timing.text(), timeout=10000)


def test_figures_and_charts(qtbot, world, translations):
    _small(world)
    page = StatsPage(SimpleNamespace(ctx=world.ctx, actor=world.login("supervisor")))
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    _loaded(qtbot, page)
    page.f_from.setDate(QDate(2026, 9, 21))
    page.f_to.setDate(QDate(2026, 9, 27))
    page.refresh_button.click()
    assert not page.refresh_button.isEnabled()  # until the figures are back
    _loaded(qtbot, page)
    k = page.kpis
    assert k["decided"].text() == "6（另有作废 1 件）"
    assert k["handling"].text() == "20.0 / 40.0" and k["waiting"].text() == "40.0 / 50.0"
    assert k["pass"].text() == "40.0% (2/5)" and k["pass_pre"].text() == "50.0% (1/2)"
    assert k["notices"].text() == "2" and k["overdue"].text() == "2"
    assert page.kpi_titles["pass"].text() == "一次性通过率"
    day_series = page.day_chart.series()[0]
    assert isinstance(day_series, QBarSeries)
    assert [day_series.barSets()[0].at(i) for i in range(5)] == [2, 1, 1, 1, 1]
    # whole-number ticks: the largest bar (2) ends exactly on the top tick, ticks 0,1,2
    from PySide6.QtCharts import QValueAxis

    axis = next(a for a in page.day_chart.axes() if isinstance(a, QValueAxis))
    assert (axis.min(), axis.max(), axis.tickCount()) == (0, 2, 3)
    assert isinstance(page.item_chart.series()[0], QHorizontalBarSeries)
    ratings = page.rating_chart.series()[0]
    assert isinstance(ratings, QPieSeries) and [s.value() for s in ratings.slices()] == [1, 1, 1, 0, 1, 2]
    assert ratings.slices()[0].label().startswith("非常满意")
    assert page.overdue.item(0, 0).text() == "J-NUMBER" and page.overdue.item(0, 4).text() == "18"
    assert page.missing.item(0, 1).text() == "2"
    assert page.clerks.rowCount() == 2 and page.windows.item(0, 0).text() == "01"
    assert page.day_view.grab().width() > 100  # the chart view renders
    assert "毫秒" in page.timing.text()


def test_presets_and_empty_range(qtbot, world, translations):
    page = StatsPage(SimpleNamespace(ctx=world.ctx, actor=world.login("supervisor")))
    qtbot.addWidget(page)
    _loaded(qtbot, page)
    page.preset.setCurrentIndex(1)  # last 7 days
    _loaded(qtbot, page)
    assert page.f_from.date().daysTo(page.f_to.date()) == 6
    assert page.kpis["decided"].text() == "0" and page.kpis["handling"].text() == "— / —"


def test_long_ranges_load_in_the_background(qtbot, world, translations):
    _small(world)
    page = StatsPage(SimpleNamespace(ctx=world.ctx, actor=world.login("supervisor")))
    qtbot.addWidget(page)
    _loaded(qtbot, page)
    page.preset.setCurrentIndex(3)  # last 365 days: computed on a worker thread
    assert not page.refresh_button.isEnabled() and page.timing.text() == "正在计算…"
    _loaded(qtbot, page)
    assert page.refresh_button.isEnabled() and page.report.decided == 10  # A–F, H, J, K, L


def test_integer_axis_ticks_fall_on_whole_numbers():
    """Every count 0…2000: ticks are whole numbers, the top is ≥ the largest bar, at most 7 ticks,
    and a bar for 3 ends on the 3 tick (issue 17 item 7)."""
    from clerk_app.stats_figures import integer_axis

    assert integer_axis(3) == (3, 4) and integer_axis(0) == (1, 2) and integer_axis(47) == (50, 6)
    for n in range(2001):
        top, ticks = integer_axis(n)
        step = top / (ticks - 1)
        assert step == int(step) and top >= n and ticks <= 7 and top < max(n, 1) * 2.5 + 1
