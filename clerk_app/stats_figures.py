"""What the statistics page shows of a StatsReport, as text and numbers (no Qt): the key figures,
the bars and pie slices of the charts, the rows of the tables, and a count axis whose ticks fall on
whole numbers; the titles of the ranges offered, the charts, the tables and their columns. The page
only draws them."""

from __future__ import annotations

from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.customer import RATING_LABELS, Rating
from clerk_app.lifecycle import DECISION_LABELS, STATUS_LABELS, CaseStatus, Decision
from clerk_app.stats import Rate, StatsReport

OVERDUE_CAP = 500  # overdue_supplements() lists at most this many cases

_VOIDED = i18n.register("stats.voided", "（另有作废 {n} 件）", " (+{n} void)")
_UNRATED = i18n.register("stats.unrated", "未评价", "Not rated")
OUTCOME_LABELS = {
    "accepted": DECISION_LABELS[Decision.ACCEPT],
    "accepted_with_deficiencies": DECISION_LABELS[Decision.ACCEPT_WITH_DEFICIENCIES],
    "returned": STATUS_LABELS[CaseStatus.RETURNED_WITH_NOTICE],
    "rejected": DECISION_LABELS[Decision.REJECT],
}
# The key figures: what each is called and, where it needs one, its definition (clerk_app.stats).
_KPIS = (
    ("decided", "办件量（已作出决定）", "Cases decided", None),
    (
        "handling",
        "办理时长，分钟（中位数 / P90）",
        "Handling time, min (median / P90)",
        ("从开始办理到作出决定；百分位按最近秩法计算", "Start of handling to decision; nearest-rank percentiles"),
    ),
    (
        "waiting",
        "等候时长，分钟（中位数 / P90）",
        "Waiting time, min (median / P90)",
        (
            "从取号到叫号（无叫号时间时到开始办理）；仅统计有取号记录的案件",
            "Ticket to call (or start when no call time); only cases with a ticket",
        ),
    ),
    (
        "pass",
        "一次性通过率",
        "First-submission pass rate",
        ("首次提交并作出决定的案件中予以受理的比例", "Accepted cases among decided first-visit cases"),
    ),
    ("pass_pre", "…其中经帮办预审", "… pre-reviewed", None),
    ("pass_direct", "…其中未经预审", "… not pre-reviewed", None),
    ("notices", "一次性告知书", "One-time notices issued", None),
    ("overdue", "容缺补交已逾期", "容缺 supplements overdue", None),
)
KPI_KEYS = tuple(key for key, *_ in _KPIS)
# The ranges offered (days back from today; 0: a range of one's own), the charts and the tables.
PRESETS = {
    days: i18n.register(f"stats.preset.{days}", zh, en)
    for days, zh, en in (
        (30, "近 30 天", "Last 30 days"),
        (7, "近 7 天", "Last 7 days"),
        (90, "近 90 天", "Last 90 days"),
        (365, "近 365 天", "Last 365 days"),
        (0, "自定义", "Custom"),
    )
}
CHARTS = {
    key: i18n.register(f"stats.chart.{key}", zh, en)
    for key, zh, en in (
        ("day", "每日办件量", "Cases per day"),
        ("item", "各事项办件量", "Cases per item"),
        ("outcomes", "受理决定", "Decisions"),
        ("ratings", "好差评", "Ratings"),
    )
}
BAR_SET = i18n.register("stats.bar_set", "件数", "Cases")
_TABLES = (  # key, title, columns (zh, en)
    ("clerks", ("按受理人员", "Per clerk"), (("受理人员", "Clerk"), ("件数", "Cases"))),
    ("windows", ("按窗口", "Per window"), (("窗口", "Window"), ("件数", "Cases"))),
    (
        "item_rates",
        ("各事项一次性通过率", "Pass rate per item"),
        (("事项", "Item"), ("通过率", "Pass rate"), ("通过 / 首次提交", "Passed / first visits")),
    ),
    (
        "missing",
        ("最常缺少的材料", "Most frequent missing materials"),
        (("材料名称", "Material"), ("缺少次数", "Times missing")),
    ),
    (
        "overdue",
        ("逾期未补交（待办）", "Overdue supplements (worklist)"),
        (
            ("受理编号", "Case number"),
            ("事项", "Item"),
            ("窗口", "Window"),
            ("补交期限", "Due"),
            ("逾期天数", "Days overdue"),
        ),
    ),
)
TABLE_KEYS = tuple(key for key, *_ in _TABLES)
_TABLE_TITLES = {key: i18n.register(f"stats.table.{key}", *title) for key, title, _ in _TABLES}
_TABLE_COLUMNS = {
    key: [i18n.register(f"stats.table.{key}.{i}", *column) for i, column in enumerate(cols)] for key, _, cols in _TABLES
}


def table_title(key: str) -> str:
    return i18n.text(_TABLE_TITLES[key])


def table_columns(key: str) -> list[str]:
    return [i18n.text(column) for column in _TABLE_COLUMNS[key]]


_KPI_TITLES = {key: i18n.register(f"stats.kpi.{key}", zh, en) for key, zh, en, _ in _KPIS}
_KPI_TIPS = {key: i18n.register(f"stats.kpi_tip.{key}", *tip) for key, _, _, tip in _KPIS if tip}


def kpi_title(key: str) -> str:
    return i18n.text(_KPI_TITLES[key])


def kpi_tip(key: str) -> str:
    """The figure's definition (a tooltip), "" for one that needs none."""
    return i18n.text(_KPI_TIPS[key]) if key in _KPI_TIPS else ""


def minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


def _rate(rate: Rate) -> str:
    return f"{percent(rate.ratio)} ({rate.passed}/{rate.total})"


@dataclass(frozen=True)
class Figures:
    kpis: dict[str, str]  # KPI_KEYS → the figure as shown
    overdue_alert: bool  # the overdue figure is shown as a warning
    day_bars: tuple[list[str], list[int]]  # category labels, counts
    item_bars: tuple[list[str], list[int]]  # the top items, the largest at the top of a horizontal chart
    outcomes: list[tuple[str, int]]  # pie slices: label, count
    ratings: list[tuple[str, int]]
    tables: dict[str, list[tuple[str, ...]]]  # clerks, windows, item_rates, missing, overdue


def figures(r: StatsReport) -> Figures:
    voided = i18n.text(_VOIDED, n=r.voided) if r.voided else ""
    overdue = str(len(r.overdue)) + ("+" if len(r.overdue) >= OVERDUE_CAP else "")
    kpis = {
        "decided": f"{r.decided}{voided}",
        "handling": f"{minutes(r.handling.median_seconds)} / {minutes(r.handling.p90_seconds)}",
        "waiting": f"{minutes(r.waiting.median_seconds)} / {minutes(r.waiting.p90_seconds)}",
        "pass": _rate(r.pass_rate),
        "pass_pre": _rate(r.pass_rate_prereviewed),
        "pass_direct": _rate(r.pass_rate_direct),
        "notices": str(r.notices_issued),
        "overdue": overdue,
    }
    day_format = "%m-%d" if len(r.per_day) <= 14 else "%d"  # a month of bars: day numbers only
    top_items = list(reversed(r.per_item[:8]))
    return Figures(
        kpis=kpis,
        overdue_alert=bool(r.overdue),
        day_bars=([d.strftime(day_format) for d, _ in r.per_day], [n for _, n in r.per_day]),
        item_bars=([c.label[:14] for c in top_items], [c.count for c in top_items]),
        outcomes=[(i18n.text(OUTCOME_LABELS.get(k, k)), n) for k, n in sorted(r.outcomes.items())],
        ratings=[(i18n.text(RATING_LABELS[Rating(level)]), n) for level, n in r.ratings.items()]
        + [(i18n.text(_UNRATED), r.unrated)],
        tables={
            "clerks": [(c.label, str(c.count)) for c in r.per_clerk],
            "windows": [(c.label, str(c.count)) for c in r.per_window],
            "item_rates": [
                (f"{x.item_name} ({x.item_code})", percent(x.rate.ratio), f"{x.rate.passed}/{x.rate.total}")
                for x in r.pass_rate_per_item
            ],
            "missing": [(c.label, str(c.count)) for c in r.top_missing],
            "overdue": [
                (o.case_number or o.case_id, o.item_name, o.window_no, o.due.isoformat(), str(o.days_overdue))
                for o in r.overdue
            ],
        },
    )


def pie_label(label: str, n: int, total: int) -> str:
    return f"{label} {n} ({n * 100 / (total or 1):.0f}%)"


def integer_axis(largest: int) -> tuple[int, int]:
    """(top, tick count) of a count axis whose ticks all fall on whole numbers: the step is 1, 2 or
    5 × 10^k so there are at most 6 intervals, the top is the first step multiple ≥ largest (at least
    1). E.g. 3 → (3, 4): ticks 0,1,2,3; 47 → (50, 6): 0,10,…,50."""
    largest = max(1, int(largest))
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            intervals = -(-largest // step)
            if intervals <= 6:
                return intervals * step, intervals + 1
        magnitude *= 10
