"""What the applicant's screen says about a case (ui/customer/window.py only draws it): each material
line with its status in the applicant's words, what is needed and what came, why a line is not in
order; the count summary; who the case is for (masked, as the clerk's view is); whether the applicant
confirmed this list; and, after the decision, the notice, the case number, the due date and the
decision summary. ``read_screen`` is the one read the window runs off the GUI thread; ``Flow`` is
which screen follows which event at the desk.

Everything here reads a masked ``CaseView``; nothing here can show more than the clerk's own view."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.cases import CaseService, CaseView, LineView
from clerk_app.clock import CHINA_TZ
from clerk_app.customer import CustomerService, lines_hash
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import DECISION_LABELS, DECISION_STATUS, STATUS_LABELS, Decision, LineStatus
from clerk_app.roles import Actor

log = logging.getLogger(__name__)


class Kind(enum.Enum):
    """How a line stands, for its colour and for the counts."""

    OK = "ok"
    BAD = "bad"
    WAIT = "wait"
    NONE = "none"


_r = i18n.register
_CHECKED = _r("customer.line.checked", "已核验", "Checked")
_RECEIVED = _r("customer.line.received", "已收取", "Received")
_TO_CORRECT = _r("customer.line.to_correct", "需更正", "To be corrected")
_DEFERRED = _r("customer.line.deferred", "容缺后补", "To follow later")
_NOT_REQUIRED = _r("customer.line.not_required", "无需提交", "Not required")
_OPTIONAL = _r("customer.line.optional", "可选材料", "Optional")
_INCOMPLETE = _r("customer.line.incomplete", "份数不足", "Incomplete")
_MISSING = _r("customer.line.missing", "未提交", "Missing")
_ORIGINALS = _r("customer.line.originals", "原件 {n} 份", "original × {n}")
_COPIES = _r("customer.line.copies", "复印件 {n} 份", "copy × {n}")
_ELECTRONIC = _r("customer.line.electronic", "电子文件", "electronic file")
_NEEDED = _r("customer.line.needed", "需提交：{what}", "Needed: {what}")
_GOT = _r("customer.line.got", "已收：原件 {o} 份 · 复印件 {c} 份", "Received: original {o} · copy {c}")
_PAGES = _r("customer.line.pages", "{n} 页", "{n} page(s)")
_NOT_SCANNED = _r("customer.line.not_scanned", "未扫描", "not scanned")
_WHY = _r("customer.line.why", "原因：{reason}", "Why: {reason}")
_BRING_BY = _r("customer.line.bring_by", "请于 {date} 前补交", "Bring it by {date}")
_SUMMARY = _r(
    "customer.summary",
    "共 {n} 项材料：已收取 {ok} 项，待补齐或更正 {bad} 项，容缺后补 {wait} 项",
    "{n} materials: {ok} received, {bad} missing or to correct, {wait} to follow later",
)
_APPLICANT = _r("customer.applicant", "申请人：{name}", "Applicant: {name}")
_ID = _r("customer.id", "证件号码：{number}", "ID: {number}")
_AGENT = _r("customer.agent", "代理人：{name}", "Agent: {name}")
_CASE_NUMBER = _r("customer.case_number", "受理编号：{number}", "Case number: {number}")
_DEFERRED_BY = _r("customer.deferred_by", "请于 {date} 前补交容缺材料", "Please bring the deferred materials by {date}")
_ONE_MORE_VISIT = _r(
    "customer.one_more_visit",
    "请按上述清单一次性备齐材料，再来一次即可办理。",
    "Bring everything listed above next time: one more visit is enough.",
)
_REASON = _r("customer.reason", "理由：{reason}", "Reason: {reason}")
_PROMISED = _r("customer.promised", "承诺办结日期：{date}", "Promised completion: {date}")
_CONFIRMED = _r(
    "customer.confirmed", "✔ 您已于 {time} 确认以上材料清单", "✔ You confirmed this material list at {time}"
)
_CHANGED = _r(
    "customer.changed",
    "材料清单在您确认后有变化，请重新核对确认",
    "The list changed since you confirmed it: please check it again",
)
_PLEASE_CONFIRM = _r(
    "customer.please_confirm",
    "请核对以上材料，无误后点击“确认材料清单”",
    "Please check the list, then confirm it",
)
_ASK_FOR_NOTICE = _r(
    "customer.ask_for_notice", "请向工作人员索取书面告知书。", "Please ask the clerk for the printed notice."
)

_STATUS = {
    LineStatus.VERIFIED: (_CHECKED, Kind.OK),
    LineStatus.RECEIVED: (_RECEIVED, Kind.OK),
    LineStatus.DEFECTIVE: (_TO_CORRECT, Kind.BAD),
    LineStatus.DEFERRED: (_DEFERRED, Kind.WAIT),
    LineStatus.NOT_REQUIRED: (_NOT_REQUIRED, Kind.NONE),
}


@dataclass(frozen=True)
class ShownLine:
    code: str
    title: str  # "3. 营业执照"
    status: LineStatus
    status_text: str
    kind: Kind
    needed: str
    received: str
    reason: str  # why it is not in order, or "" when it is
    pages: str
    page_count: int


@dataclass(frozen=True)
class Checklist:
    lines: tuple[ShownLine, ...]
    summary: str


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def line_status(line: LineView) -> tuple[str, Kind]:
    """The line's status in the applicant's words, and how it counts."""
    if line.status in _STATUS:
        key, kind = _STATUS[line.status]
    elif line.necessity == "optional":
        key, kind = _OPTIONAL, Kind.NONE
    elif line.originals_received or line.copies_received:
        key, kind = _INCOMPLETE, Kind.BAD
    else:
        key, kind = _MISSING, Kind.BAD
    return i18n.text(key), kind


def _needed(line: LineView) -> str:
    need = []
    if line.originals_required:
        need.append(i18n.text(_ORIGINALS, n=line.originals_required))
    if line.copies_required:
        need.append(i18n.text(_COPIES, n=line.copies_required))
    if line.form == "electronic" and not need:
        need.append(i18n.text(_ELECTRONIC))
    return i18n.text(_NEEDED, what=" · ".join(need) or "—")


def _reason(line: LineView) -> str:
    if line.status is LineStatus.DEFECTIVE and line.reason:
        return i18n.text(_WHY, reason=line.reason)
    if line.status is LineStatus.DEFERRED and line.due_date:
        return i18n.text(_BRING_BY, date=date_text(line.due_date))
    if line.status is LineStatus.NOT_REQUIRED and line.reason:
        return line.reason
    return ""


def checklist(view: CaseView) -> Checklist:
    lines = []
    for n, line in enumerate(view.lines, 1):
        text, kind = line_status(line)
        lines.append(
            ShownLine(
                code=line.code,
                title=f"{n}. {line.name}",
                status=line.status,
                status_text=text,
                kind=kind,
                needed=_needed(line),
                received=i18n.text(_GOT, o=line.originals_received, c=line.copies_received),
                reason=_reason(line),
                pages=i18n.text(_PAGES, n=line.page_count) if line.page_count else i18n.text(_NOT_SCANNED),
                page_count=line.page_count,
            )
        )
    count = {kind: sum(1 for ln in lines if ln.kind is kind) for kind in Kind}
    summary = i18n.text(_SUMMARY, n=len(lines), ok=count[Kind.OK], bad=count[Kind.BAD], wait=count[Kind.WAIT])
    return Checklist(tuple(lines), summary)


def parties(view: CaseView) -> str:
    """Who the case is for, as masked in the view."""
    who = []
    if view.applicant is not None:
        who.append(i18n.text(_APPLICANT, name=view.applicant.name))
        if view.applicant.document_number:
            who.append(i18n.text(_ID, number=view.applicant.document_number))
    if view.agent is not None:
        who.append(i18n.text(_AGENT, name=view.agent.name))
    return "    ".join(who)


def notice_footer(view: CaseView, decision: Decision) -> str:
    """Under the one-time notice: the case number and what to bring when."""
    out = []
    if view.case_number:
        out.append(i18n.text(_CASE_NUMBER, number=view.case_number))
    if decision is Decision.ACCEPT_WITH_DEFICIENCIES and view.deficiency_due:
        out.append(i18n.text(_DEFERRED_BY, date=date_text(view.deficiency_due)))
    if decision is Decision.RETURN_WITH_NOTICE:
        out.append(i18n.text(_ONE_MORE_VISIT))
    return "\n".join(out)


def decision_summary(view: CaseView, decision: Decision) -> str:
    """One line above the rating: what was decided, why (a rejection), the case number, the promise."""
    out = [i18n.text(STATUS_LABELS[DECISION_STATUS[decision]])]
    if decision is Decision.REJECT and view.decision_reason:
        out.append(i18n.text(_REASON, reason=view.decision_reason))
    if view.case_number:
        out.append(i18n.text(_CASE_NUMBER, number=view.case_number))
    if view.promised_date:
        out.append(i18n.text(_PROMISED, date=date_text(view.promised_date)))
    return "  ·  ".join(out)


class Phase(enum.Enum):
    IDLE = "idle"
    CHECKLIST = "checklist"
    NOTICE = "notice"
    RATING = "rating"
    THANKS = "thanks"
    DONE = "done"  # rated (or not): idle again until the desk changes applicant


NOTICE_DECISIONS = frozenset({Decision.RETURN_WITH_NOTICE, Decision.ACCEPT_WITH_DEFICIENCIES})


@dataclass
class Flow:
    """Which screen the applicant sees as the desk's events come. The window draws the phase and runs
    the timers: the rating times out into ``finished`` (not rated), the thanks into ``thanks_over``."""

    case_id: str | None = None
    phase: Phase = Phase.IDLE
    decision: Decision | None = None

    def open(self, case_id: str | None) -> None:
        """A case on the desk (None: nobody, the idle screen)."""
        self.case_id, self.decision = case_id, None
        self.phase = Phase.IDLE if case_id is None else Phase.CHECKLIST

    @property
    def follows_changes(self) -> bool:
        """Whether a change at the desk is read again: not while rating or after it (a late refresh
        of a decided case does not bring the rating back)."""
        return self.phase in (Phase.CHECKLIST, Phase.NOTICE)

    def decided(self, decision: Decision) -> None:
        """The notice first when there is one to read, else straight to the rating."""
        self.decision = decision
        self.phase = Phase.NOTICE if decision in NOTICE_DECISIONS else Phase.RATING

    def start_rating(self) -> None:
        """After the notice (the applicant read it)."""
        if self.phase is Phase.NOTICE:
            self.phase = Phase.RATING

    def skip_rating(self, screen: Screen) -> bool:
        """A case rated already (the desk announced its decision again) is not rated twice."""
        return self.phase is Phase.RATING and screen.rated

    def finished(self) -> None:
        """Rated, not rated in time, or rated before: thanks, then idle."""
        self.phase = Phase.THANKS

    def thanks_over(self) -> None:
        if self.phase is Phase.THANKS:
            self.phase = Phase.DONE


@dataclass(frozen=True)
class Screen:
    """One read of a case for the applicant's screen: every text it shows (thumbnails aside)."""

    case_id: str
    item_name: str
    parties: str
    checklist: Checklist
    lines_hash: str  # what the applicant confirms having seen
    confirmation: str  # confirmed at…, changed since, or please confirm
    confirmed: bool | None  # None: never confirmed; False: the list changed since
    ticket_no: str | None
    rated: bool
    notice_title: str = ""
    notice: str = ""
    notice_footer: str = ""
    decision_summary: str = ""


def read_screen(
    cases: CaseService, customer: CustomerService, actor: Actor, case_id: str, decision: Decision | None
) -> Screen:
    """Everything the applicant's screen shows about the case (the window runs this off the GUI thread)."""
    view = cases.get(actor, case_id)
    facts = customer.facts(case_id)
    shown_hash = lines_hash(view.lines)
    conf = facts.confirmation
    if conf is None:
        confirmed, confirmation = None, i18n.text(_PLEASE_CONFIRM)
    elif conf.lines_hash == shown_hash:
        at = conf.confirmed_at.astimezone(CHINA_TZ).strftime("%H:%M")
        confirmed, confirmation = True, i18n.text(_CONFIRMED, time=at)
    else:
        confirmed, confirmation = False, i18n.text(_CHANGED)
    after: dict[str, str] = {}
    if decision is not None:
        after = {
            "notice_title": i18n.text(DECISION_LABELS[decision]),
            "notice_footer": notice_footer(view, decision),
            "decision_summary": decision_summary(view, decision),
        }
    if decision in NOTICE_DECISIONS:
        try:
            after["notice"] = cases.one_time_notice(case_id).text()
        except ClerkAppError as exc:
            log.warning("one-time notice unavailable: %s", exc)
            after["notice"] = i18n.text(_ASK_FOR_NOTICE)
    return Screen(
        case_id,
        view.item_name,
        parties(view),
        checklist(view),
        shown_hash,
        confirmation,
        confirmed,
        facts.ticket_no,
        facts.rating is not None,
        **after,
    )


# -- 适老化 (settings.customer_large_type) ------------------------------------------------------------
LARGE_TYPE_SCALE = 1.4
_GREY_TEXT = ("#4a5868", "#6b7785", "#1d2733")


def large_type(style: str) -> str:
    """The applicant's screen in large type and high contrast, from its normal style sheet
    (resources/styles/customer.qss): every type size ×1.4, black text on white instead of the greys,
    darker status colours, heavier borders."""
    out = re.sub(r"font-size: (\d+)px", lambda m: f"font-size: {round(int(m.group(1)) * LARGE_TYPE_SCALE)}px", style)
    for grey in _GREY_TEXT:
        out = out.replace(f"color: {grey}", "color: #000000")
    out = out.replace("background: #f4f7fb", "background: #ffffff").replace("#1b7f3b", "#0d5c28")
    return out.replace("#b26a00", "#7a4a00").replace("1px solid #9aa7b6", "2px solid #000000")
