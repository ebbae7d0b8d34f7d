"""Supervisor statistics page (F8): figures for a date range, with Qt Charts.

Cases per day (bars), per item (horizontal bars), outcomes and ratings (pies), key figures (median
and P90 handling and waiting time, first-submission pass rate overall / pre-reviewed / direct),
per clerk and per window tables, the most frequent missing materials of one-time notices, and the
overdue 容缺 worklist. Numbers come from clerk_app.stats (SQL aggregates), read off the GUI thread
(ListReader: when ranges are changed quickly only the latest range's figures are shown); what is shown
of them, and every title, from clerk_app.stats_figures; definitions in clerk_app.stats' docstring,
repeated in the tooltips here.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QScrollArea, QTableWidget, QVBoxLayout, QWidget

from clerk_app import i18n
from clerk_app import stats_figures as sf
from clerk_app.clock import CHINA_TZ
from clerk_app.stats import StatsFilter, StatsReport
from ui.operations import error_text
from ui.typed_qt import to_date
from ui.widgets.common import (
    ListReader,
    Retranslating,
    add,
    arg,
    buddies,
    button,
    date_edit,
    fill,
    label,
    set_day,
    set_headers,
    table,
)

if TYPE_CHECKING:
    from ui.pages import PageHost

PALETTE = ["#2f6db5", "#e08a1e", "#3a9a5b", "#c0392b", "#8e5ea2", "#7f8c8d", "#16a085"]
KPI_STYLE = "font-size: 20px; font-weight: bold; color: %s;"


def _chart(name: str, *, legend: bool = False) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setVisible(legend)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    view = QChartView(chart)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return chart, view


def _right_aligned(widget: QTableWidget) -> None:
    """Figures (digits, dots, %) right-aligned, except in the first column."""
    for r in range(widget.rowCount()):
        for c in range(1, widget.columnCount()):
            item = widget.item(r, c)
            if item is not None and item.text().replace(".", "").replace("%", "").isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class StatsPage(Retranslating, QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.ctx, self.actor = window.ctx, window.actor
        self.service = self.ctx.stats
        self.report: StatsReport | None = None
        self.load_seconds = 0.0
        self.reader = ListReader(self, self._loaded, self._failed)

        today = self.ctx.clock.now().astimezone(CHINA_TZ).date()
        self.preset = QComboBox()
        self.preset.setObjectName("statsPreset")
        for days in sf.PRESETS:
            self.preset.addItem("", days)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.f_from = date_edit("statsFrom", today - dt.timedelta(days=29))
        self.f_to = date_edit("statsTo", today)
        self.range_label, self.from_label, self.to_label = label(), label(), label()
        self.refresh_button = button("statsRefresh", self.refresh)
        self.timing = label(name="statsTiming", style="color: #666;")
        pairs = buddies((self.range_label, self.preset), (self.from_label, self.f_from), (self.to_label, self.f_to))
        top = add(QHBoxLayout(), *pairs, self.refresh_button, 1, self.timing)

        self.kpis = {key: label(name=f"kpi_{key}", style=KPI_STYLE % "#1f3b5c") for key in sf.KPI_KEYS}
        self.kpi_titles = {key: label(style="color: #555;") for key in sf.KPI_KEYS}
        kpi_box = QGridLayout()
        for i, key in enumerate(sf.KPI_KEYS):
            frame = QWidget()
            frame.setObjectName("kpiFrame")
            frame.setStyleSheet("#kpiFrame { background: #f4f7fb; border-radius: 6px; }")
            add(QVBoxLayout(frame), self.kpi_titles[key], self.kpis[key])
            kpi_box.addWidget(frame, i // 4, i % 4)

        self.charts = {key: _chart(f"chart_{key}", legend=key in ("outcomes", "ratings")) for key in sf.CHARTS}
        self.day_chart, self.item_chart, self.outcome_chart, self.rating_chart = (c for c, _ in self.charts.values())
        self.day_view = self.charts["day"][1]
        charts = QGridLayout()
        for i, (_, view) in enumerate(self.charts.values()):
            charts.addWidget(view, i // 2, i % 2)

        self.tables = {
            key: table(f"stats_{key}", len(sf.table_columns(key)), rows_selectable=False, min_height=160)
            for key in sf.TABLE_KEYS
        }
        self.clerks, self.windows, self.item_rates, self.missing, self.overdue = self.tables.values()
        self.table_titles = {key: label(style="font-weight: bold;") for key in sf.TABLE_KEYS}
        tables = QGridLayout()
        for i, key in enumerate(sf.TABLE_KEYS):
            column = add(QVBoxLayout(), self.table_titles[key], self.tables[key])
            tables.addLayout(column, i // 3, i % 3, 1, 1 if i < 4 else 2)  # the overdue list: two columns wide

        body = QWidget()
        add(QVBoxLayout(body), kpi_box, charts, tables)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        add(QVBoxLayout(self), top, (scroll, 1))
        self.retranslate()
        self.refresh()

    # -- data -----------------------------------------------------------------------------------
    def current_filter(self) -> StatsFilter:
        return StatsFilter(to_date(self.f_from.date()), to_date(self.f_to.date()))

    def _preset_changed(self, index: int) -> None:
        days = self.preset.itemData(index)
        if not days:
            return
        today = self.ctx.clock.now().astimezone(CHINA_TZ).date()
        set_day(self.f_from, today - dt.timedelta(days=days - 1))
        set_day(self.f_to, today)
        self.refresh()

    def refresh(self) -> None:
        """Reload the figures off the GUI thread: a year on a large store takes seconds (see
        docs/performance.md); the page stays usable."""
        service, actor, flt, t0 = self.service, self.actor, self.current_filter(), time.perf_counter()
        self.refresh_button.setEnabled(False)
        self.timing.setText(self.tr("calculating…"))
        self.reader.read(lambda: (service.report(actor, flt), t0), self.tr("Statistics"))

    def _loaded(self, got: tuple[StatsReport, float]) -> None:
        self.report, t0 = got
        self.show_report(self.report)
        self.refresh_button.setEnabled(True)
        self.load_seconds = time.perf_counter() - t0
        self.timing.setText(arg(self.tr("loaded in %1 ms"), f"{self.load_seconds * 1000:.0f}"))

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.timing.setText(error_text(exc))

    def show_report(self, r: StatsReport) -> None:
        f = sf.figures(r)
        for key, text in f.kpis.items():
            self.kpis[key].setText(text)
        self.kpis["overdue"].setStyleSheet(KPI_STYLE % ("#b3261e" if f.overdue_alert else "#1f3b5c"))
        self._bars(self.day_chart, *f.day_bars)
        self._bars(self.item_chart, *f.item_bars, horizontal=True)
        self._pie(self.outcome_chart, f.outcomes)
        self._pie(self.rating_chart, f.ratings)
        for key, widget in self.tables.items():
            fill(widget, f.tables[key])
            _right_aligned(widget)

    def _bars(self, chart: QChart, categories: list[str], values: list[int], *, horizontal: bool = False) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bar_set = QBarSet(i18n.text(sf.BAR_SET))
        bar_set.setColor(QColor(PALETTE[0]))
        bar_set.append([float(v) for v in values])
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(len(values) <= 12)
        chart.addSeries(series)
        cat_axis = QBarCategoryAxis()
        cat_axis.append(categories or ["—"])
        small = QFont()
        small.setPointSize(7 if len(categories) > 14 else 8)
        cat_axis.setLabelsFont(small)
        cat_axis.setTruncateLabels(False)  # otherwise Qt elides short labels of narrow bars to "…"
        val_axis = QValueAxis()
        top, ticks = sf.integer_axis(max(values + [0]))
        val_axis.setRange(0, top)
        val_axis.setTickCount(ticks)  # ticks on whole numbers only: a bar for 3 ends at the 3 tick
        val_axis.setLabelFormat("%d")
        cat_side, val_side = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft
        if horizontal:
            cat_side, val_side = val_side, cat_side
        chart.addAxis(cat_axis, cat_side)
        chart.addAxis(val_axis, val_side)
        series.attachAxis(cat_axis)
        series.attachAxis(val_axis)

    def _pie(self, chart: QChart, slices: list[tuple[str, int]]) -> None:
        chart.removeAllSeries()
        series = QPieSeries()
        total = sum(n for _, n in slices)
        for i, (text, n) in enumerate(slices):
            series.append(sf.pie_label(text, n, total), float(n)).setColor(QColor(PALETTE[i % len(PALETTE)]))
        chart.addSeries(series)

    # -- text -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.range_label.setText(self.tr("Range"))
        self.from_label.setText(self.tr("&From"))
        self.to_label.setText(self.tr("&To"))
        self.refresh_button.setText(self.tr("&Refresh"))
        for i, text in enumerate(sf.PRESETS.values()):
            self.preset.setItemText(i, i18n.text(text))
        for key in sf.KPI_KEYS:
            self.kpi_titles[key].setText(sf.kpi_title(key))
            self.kpis[key].setToolTip(sf.kpi_tip(key))
        for key, (chart, _) in self.charts.items():
            chart.setTitle(i18n.text(sf.CHARTS[key]))
        for key, widget in self.tables.items():
            self.table_titles[key].setText(sf.table_title(key))
            set_headers(widget, *sf.table_columns(key))
        if self.report is not None:
            self.show_report(self.report)
