"""Supervisor statistics page (F8): figures for a date range, with Qt Charts.

Cases per day (bars), per item (horizontal bars), outcomes and ratings (pies), key figures (median
and P90 handling and waiting time, first-submission pass rate overall / pre-reviewed / direct),
per clerk and per window tables, the most frequent missing materials of one-time notices, and the
overdue 容缺 worklist. Numbers come from clerk_app.stats (SQL aggregates); definitions in its
module docstring, repeated in the tooltips here.
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
from PySide6.QtCore import QDate, QEvent, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app.clock import CHINA_TZ
from clerk_app.stats import StatsFilter, StatsReport
from ui.typed_qt import to_date

if TYPE_CHECKING:
    from ui.pages import PageHost

PALETTE = ["#2f6db5", "#e08a1e", "#3a9a5b", "#c0392b", "#8e5ea2", "#7f8c8d", "#16a085"]


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def _pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


def _chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setVisible(False)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return chart, view


def _table(name: str, columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    t.setObjectName(name)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    # Interactive + one resizeColumnsToContents() after filling: ResizeToContents would re-measure
    # every row on each setItem (seconds for a few hundred rows).
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    t.setMinimumHeight(160)
    return t


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for col, value in enumerate(row):
            item = QTableWidgetItem(value)
            if col and value.replace(".", "").replace("%", "").isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, col, item)
    table.resizeColumnsToContents()


class StatsPage(QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.ctx, self.actor = window.ctx, window.actor
        self.service = self.ctx.stats
        self.report: StatsReport | None = None
        self.load_seconds = 0.0

        today = self.ctx.clock.now().astimezone(CHINA_TZ).date()
        self.range_label, self.from_label, self.to_label = QLabel(), QLabel(), QLabel()
        self.preset = QComboBox()
        self.preset.setObjectName("statsPreset")
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.f_from, self.f_to = QDateEdit(), QDateEdit()
        for name, edit, day in (
            ("statsFrom", self.f_from, today - dt.timedelta(days=29)),
            ("statsTo", self.f_to, today),
        ):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
        self.from_label.setBuddy(self.f_from)
        self.to_label.setBuddy(self.f_to)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("statsRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.timing = QLabel()
        self.timing.setObjectName("statsTiming")
        self.timing.setStyleSheet("color: #666;")
        top = QHBoxLayout()
        top.addWidget(self.range_label)
        top.addWidget(self.preset)
        top.addWidget(self.from_label)
        top.addWidget(self.f_from)
        top.addWidget(self.to_label)
        top.addWidget(self.f_to)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.timing)

        self.kpis: dict[str, QLabel] = {}
        self.kpi_titles: dict[str, QLabel] = {}
        kpi_box = QGridLayout()
        for i, key in enumerate(
            ("decided", "handling", "waiting", "pass", "pass_pre", "pass_direct", "notices", "overdue")
        ):
            title, value = QLabel(), QLabel()
            value.setObjectName(f"kpi_{key}")
            value.setStyleSheet("font-size: 20px; font-weight: bold; color: #1f3b5c;")
            title.setStyleSheet("color: #555;")
            self.kpis[key], self.kpi_titles[key] = value, title
            box = QVBoxLayout()
            box.addWidget(title)
            box.addWidget(value)
            frame = QWidget()
            frame.setObjectName("kpiFrame")
            frame.setStyleSheet("#kpiFrame { background: #f4f7fb; border-radius: 6px; }")
            frame.setLayout(box)
            kpi_box.addWidget(frame, i // 4, i % 4)

        self.day_chart, self.day_view = _chart("")
        self.item_chart, self.item_view = _chart("")
        self.outcome_chart, self.outcome_view = _chart("")
        self.rating_chart, self.rating_view = _chart("")
        for chart in (self.outcome_chart, self.rating_chart):
            chart.legend().setVisible(True)
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.day_view.setObjectName("chartPerDay")
        self.item_view.setObjectName("chartPerItem")
        self.outcome_view.setObjectName("chartOutcomes")
        self.rating_view.setObjectName("chartRatings")
        charts = QGridLayout()
        charts.addWidget(self.day_view, 0, 0)
        charts.addWidget(self.item_view, 0, 1)
        charts.addWidget(self.outcome_view, 1, 0)
        charts.addWidget(self.rating_view, 1, 1)

        self.clerks = _table("statsClerks", 2)
        self.windows = _table("statsWindows", 2)
        self.item_rates = _table("statsItemRates", 3)
        self.missing = _table("statsMissing", 2)
        self.overdue = _table("statsOverdue", 5)
        self.table_titles = [QLabel() for _ in range(5)]
        tables = QGridLayout()
        for i, (title, table) in enumerate(
            zip(self.table_titles, (self.clerks, self.windows, self.item_rates, self.missing, self.overdue))
        ):
            title.setStyleSheet("font-weight: bold;")
            box = QVBoxLayout()
            box.addWidget(title)
            box.addWidget(table)
            tables.addLayout(box, i // 3, i % 3, 1, 1 if i < 4 else 2)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(kpi_box)
        inner.addLayout(charts)
        inner.addLayout(tables)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
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
        start = today - dt.timedelta(days=days - 1)
        self.f_from.setDate(QDate(start.year, start.month, start.day))
        self.f_to.setDate(QDate(today.year, today.month, today.day))
        self.refresh()

    def refresh(self, background: bool | None = None) -> None:
        """Reload the figures. Ranges longer than a month take seconds on a large store (see
        docs/performance.md), so they are computed on a worker thread and the page stays usable."""
        flt = self.current_filter()
        if background is None:
            background = (flt.end - flt.start).days > 31
        t0 = time.perf_counter()
        if not background:
            self._loaded(self.service.report(self.actor, flt), t0)
            return
        from ui.operations import BackgroundOp

        self.refresh_button.setEnabled(False)
        self.timing.setText(self.tr("calculating…"))
        self._op = BackgroundOp(
            lambda report, cancel: self.service.report(self.actor, flt),
            lambda rep: self._loaded(rep, t0),
            self._failed,
            owner=self,
        ).start()

    def _loaded(self, report: StatsReport, t0: float) -> None:
        self.report = report
        self.show_report(report)
        self.refresh_button.setEnabled(True)
        self.load_seconds = time.perf_counter() - t0
        self.timing.setText(self.tr("loaded in %1 ms").replace("%1", f"{self.load_seconds * 1000:.0f}"))

    def _failed(self, exc: BaseException) -> None:
        from clerk_app.errors import ClerkAppError

        self.refresh_button.setEnabled(True)
        self.timing.setText(exc.user_message() if isinstance(exc, ClerkAppError) else type(exc).__name__)

    def show_report(self, r: StatsReport) -> None:
        k = self.kpis
        k["decided"].setText(str(r.decided) + (self.tr(" (+%1 void)").replace("%1", str(r.voided)) if r.voided else ""))
        k["handling"].setText(f"{_minutes(r.handling.median_seconds)} / {_minutes(r.handling.p90_seconds)}")
        k["waiting"].setText(f"{_minutes(r.waiting.median_seconds)} / {_minutes(r.waiting.p90_seconds)}")
        k["pass"].setText(f"{_pct(r.pass_rate.ratio)} ({r.pass_rate.passed}/{r.pass_rate.total})")
        k["pass_pre"].setText(
            f"{_pct(r.pass_rate_prereviewed.ratio)} ({r.pass_rate_prereviewed.passed}/{r.pass_rate_prereviewed.total})"
        )
        k["pass_direct"].setText(
            f"{_pct(r.pass_rate_direct.ratio)} ({r.pass_rate_direct.passed}/{r.pass_rate_direct.total})"
        )
        k["notices"].setText(str(r.notices_issued))
        k["overdue"].setText(str(len(r.overdue)) + ("+" if len(r.overdue) >= 500 else ""))  # worklist capped at 500
        k["overdue"].setStyleSheet(
            "font-size: 20px; font-weight: bold; color: %s;" % ("#b3261e" if r.overdue else "#1f3b5c")
        )
        day_fmt = "%m-%d" if len(r.per_day) <= 14 else "%d"  # a month of bars: day numbers only
        self._bars(self.day_chart, [d.strftime(day_fmt) for d, _ in r.per_day], [n for _, n in r.per_day])
        top_items = r.per_item[:8]
        self._bars(
            self.item_chart,
            [c.label[:14] for c in reversed(top_items)],
            [c.count for c in reversed(top_items)],
            horizontal=True,
        )
        outcome_names = {
            "accepted": self.tr("Accepted"),
            "accepted_with_deficiencies": self.tr("Accepted with deficiencies"),
            "returned": self.tr("Returned with notice"),
            "rejected": self.tr("Rejected"),
        }
        self._pie(self.outcome_chart, [(outcome_names.get(k_, k_), n) for k_, n in sorted(r.outcomes.items())])
        rating_names = {
            5: self.tr("Very satisfied"),
            4: self.tr("Satisfied"),
            3: self.tr("Basically satisfied"),
            2: self.tr("Dissatisfied"),
            1: self.tr("Very dissatisfied"),
        }
        self._pie(
            self.rating_chart,
            [(rating_names[level], n) for level, n in r.ratings.items()] + [(self.tr("Not rated"), r.unrated)],
        )
        _fill(self.clerks, [(c.label, str(c.count)) for c in r.per_clerk])
        _fill(self.windows, [(c.label, str(c.count)) for c in r.per_window])
        _fill(
            self.item_rates,
            [
                (f"{x.item_name} ({x.item_code})", _pct(x.rate.ratio), f"{x.rate.passed}/{x.rate.total}")
                for x in r.pass_rate_per_item
            ],
        )
        _fill(self.missing, [(c.label, str(c.count)) for c in r.top_missing])
        _fill(
            self.overdue,
            [
                (o.case_number or o.case_id, o.item_name, o.window_no, o.due.isoformat(), str(o.days_overdue))
                for o in r.overdue
            ],
        )

    def _bars(self, chart: QChart, categories: list[str], values: list[int], *, horizontal: bool = False) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bar_set = QBarSet(self.tr("Cases"))
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
        top, ticks = integer_axis(max(values + [0]))
        val_axis.setRange(0, top)
        val_axis.setTickCount(ticks)  # ticks on whole numbers only: a bar for 3 ends at the 3 tick
        val_axis.setLabelFormat("%d")
        if horizontal:
            chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(val_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(val_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cat_axis)
        series.attachAxis(val_axis)

    def _pie(self, chart: QChart, slices: list[tuple[str, int]]) -> None:
        chart.removeAllSeries()
        series = QPieSeries()
        total = sum(n for _, n in slices) or 1
        for i, (label, n) in enumerate(slices):
            sl = series.append(f"{label} {n} ({n * 100 / total:.0f}%)", float(n))
            sl.setColor(QColor(PALETTE[i % len(PALETTE)]))
        chart.addSeries(series)

    # -- text -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.range_label.setText(self.tr("Range"))
        self.from_label.setText(self.tr("&From"))
        self.to_label.setText(self.tr("&To"))
        self.refresh_button.setText(self.tr("&Refresh"))
        current = self.preset.currentIndex()
        self.preset.blockSignals(True)
        self.preset.clear()
        for text, days in (
            (self.tr("Last 30 days"), 30),
            (self.tr("Last 7 days"), 7),
            (self.tr("Last 90 days"), 90),
            (self.tr("Last 365 days"), 365),
            (self.tr("Custom"), 0),
        ):
            self.preset.addItem(text, days)
        self.preset.setCurrentIndex(max(0, current))
        self.preset.blockSignals(False)
        titles = {
            "decided": self.tr("Cases decided"),
            "handling": self.tr("Handling time, min (median / P90)"),
            "waiting": self.tr("Waiting time, min (median / P90)"),
            "pass": self.tr("First-submission pass rate"),
            "pass_pre": self.tr("… pre-reviewed"),
            "pass_direct": self.tr("… not pre-reviewed"),
            "notices": self.tr("One-time notices issued"),
            "overdue": self.tr("容缺 supplements overdue"),
        }
        for key, text in titles.items():
            self.kpi_titles[key].setText(text)
        self.kpis["handling"].setToolTip(self.tr("Start of handling to decision; nearest-rank percentiles"))
        self.kpis["waiting"].setToolTip(
            self.tr("Ticket to call (or start when no call time); only cases with a ticket")
        )
        self.kpis["pass"].setToolTip(self.tr("Accepted cases among decided first-visit cases"))
        self.day_chart.setTitle(self.tr("Cases per day"))
        self.item_chart.setTitle(self.tr("Cases per item"))
        self.outcome_chart.setTitle(self.tr("Decisions"))
        self.rating_chart.setTitle(self.tr("Ratings"))
        for title, text in zip(
            self.table_titles,
            (
                self.tr("Per clerk"),
                self.tr("Per window"),
                self.tr("Pass rate per item"),
                self.tr("Most frequent missing materials"),
                self.tr("Overdue supplements (worklist)"),
            ),
        ):
            title.setText(text)
        self.clerks.setHorizontalHeaderLabels([self.tr("Clerk"), self.tr("Cases")])
        self.windows.setHorizontalHeaderLabels([self.tr("Window"), self.tr("Cases")])
        self.item_rates.setHorizontalHeaderLabels(
            [self.tr("Item"), self.tr("Pass rate"), self.tr("Passed / first visits")]
        )
        self.missing.setHorizontalHeaderLabels([self.tr("Material"), self.tr("Times missing")])
        self.overdue.setHorizontalHeaderLabels(
            [self.tr("Case number"), self.tr("Item"), self.tr("Window"), self.tr("Due"), self.tr("Days overdue")]
        )
        if self.report is not None:
            self.show_report(self.report)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def integer_axis(largest: int) -> tuple[int, int]:
    """(top, tick count) of a count axis whose ticks all fall on whole numbers: the step is 1, 2 or
    5 × 10^k so there are at most 6 intervals, the top is the first step multiple ≥ largest (at least
    1). E.g. 3 → (3, 4): ticks 0,1,2,3; 47 → (50, 6): 0,10,…,50."""
    largest = max(1, int(largest))
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            if -(-largest // step) <= 6:
                intervals = -(-largest // step)
                return intervals * step, intervals + 1
        magnitude *= 10
