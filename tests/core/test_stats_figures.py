"""What the statistics page shows of a report: key figures, chart data and table rows (no Qt)."""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.stats import StatsService
from clerk_app.stats_figures import figures, integer_axis, pie_label
from tests.core.test_stats import WEEK, _small


def test_figures_of_the_hand_computed_week(world):
    _small(world)
    report = StatsService(world.ctx.sessions, world.clock).report(world.login("supervisor"), WEEK)
    f = figures(report)
    assert f.kpis["decided"] == "6（另有作废 1 件）"
    assert f.kpis["handling"] == "20.0 / 40.0" and f.kpis["pass"] == "40.0% (2/5)"
    assert f.kpis["overdue"] == "2" and f.overdue_alert
    assert f.day_bars[1] == [2, 1, 1, 1, 1] and all(len(d) == 5 for d in f.day_bars[0])  # mm-dd for a week
    assert dict(f.outcomes) == {"受理": 1, "容缺受理": 2, "一次性告知退回": 2, "不予受理": 1}
    assert f.ratings[0][0] == "非常满意" and f.ratings[-1] == ("未评价", 2)
    assert f.tables["overdue"][0][0] == "J-NUMBER" and f.tables["overdue"][0][4] == "18"
    assert f.tables["windows"][0] == ("01", "4")
    i18n.set_language("en")
    try:
        assert figures(report).kpis["decided"] == "6 (+1 void)"
    finally:
        i18n.set_language("zh_CN")


def test_an_empty_report_and_pie_labels(world):
    import datetime as dt

    from clerk_app.stats import StatsFilter

    empty = StatsService(world.ctx.sessions, world.clock).report(
        world.login("supervisor"), StatsFilter(dt.date(2025, 1, 1), dt.date(2025, 1, 2))
    )
    f = figures(empty)
    assert f.kpis["decided"] == "0" and f.kpis["handling"] == "— / —" and f.kpis["pass"] == "— (0/0)"
    assert pie_label("未评价", 0, 0) == "未评价 0 (0%)" and pie_label("满意", 1, 4) == "满意 1 (25%)"


def test_integer_axis():
    assert integer_axis(3) == (3, 4) and integer_axis(0) == (1, 2) and integer_axis(47) == (50, 6)


def test_every_key_figure_is_named_and_the_timed_ones_defined():
    from clerk_app.stats_figures import KPI_KEYS, kpi_tip, kpi_title

    assert kpi_title("pass") == "一次性通过率" and "最近秩" in kpi_tip("handling") and kpi_tip("decided") == ""
    assert all(kpi_title(k) for k in KPI_KEYS) and len(set(map(kpi_title, KPI_KEYS))) == len(KPI_KEYS)


def test_titles_of_ranges_charts_and_tables_in_either_language():
    from clerk_app.stats_figures import CHARTS, PRESETS, TABLE_KEYS, table_columns, table_title

    assert list(PRESETS) == [30, 7, 90, 365, 0] and i18n.text(PRESETS[0]) == "自定义"
    assert i18n.text(CHARTS["day"]) == "每日办件量" and table_title("missing") == "最常缺少的材料"
    assert TABLE_KEYS == ("clerks", "windows", "item_rates", "missing", "overdue")
    assert table_columns("overdue") == ["受理编号", "事项", "窗口", "补交期限", "逾期天数"]
    i18n.set_language("en")
    try:
        assert table_columns("item_rates") == ["Item", "Pass rate", "Passed / first visits"]
        assert i18n.text(PRESETS[7]) == "Last 7 days"
    finally:
        i18n.set_language("zh_CN")
