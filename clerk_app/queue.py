"""The queue at the window (叫号): a built-in simple hall queue kept in the store, and the interface a
hall queue system's adapter implements (contract in docs/queue.md).

The built-in queue: ``issue`` hands out the next number of the day (A001, A002 …); ``call_next`` gives
this window the oldest waiting ticket (a ticket transferred to a window only goes to that window);
``recall`` calls the same number again; ``skip`` marks it 过号 (no-show); ``transfer`` puts it back in
the queue for another window; ``start`` links it to the case the clerk opened for it. The case gets
the ticket number, the ticket time and the (first) call time, so the statistics' waiting time
(ticket → call) has values. No personal data here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import Clock
from clerk_app.errors import ClerkAppError
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, QueueTicket

WAITING, CALLED, STARTED, NO_SHOW = "waiting", "called", "started", "no_show"

_CHINA = dt.timezone(dt.timedelta(hours=8))


class QueueError(ClerkAppError):
    key = i18n.register("error.queue", "叫号操作失败", "Queue operation failed")


class QueueEmpty(QueueError):
    key = i18n.register("error.queue_empty", "当前没有等候的号", "Nobody is waiting in the queue")


class NoTicketCalled(QueueError):
    key = i18n.register("error.queue_none_called", "本窗口当前没有叫到的号", "No ticket is called at this window")


class BadWindow(QueueError):
    key = i18n.register(
        "error.queue_bad_window", "窗口号无效：须为 1–16 位字母或数字", "Invalid window number: 1–16 letters or digits"
    )


@dataclass(frozen=True)
class Ticket:
    id: int
    number: str
    status: str
    issued_at: dt.datetime
    called_at: dt.datetime | None
    window_no: str | None
    calls: int
    case_id: str | None


def _ticket(row: QueueTicket) -> Ticket:
    return Ticket(row.id, row.number, row.status, row.issued_at, row.called_at, row.window_no, row.calls, row.case_id)


class HallQueue(Protocol):
    """What the intake page asks of a queue: the built-in one below, or an adapter to the hall's queue
    system (HTTP or serial; contract in docs/queue.md). Every method returns the ticket as it is after
    the call, or raises a QueueError with a Chinese message."""

    def call_next(self, actor: Actor) -> Ticket: ...
    def recall(self, actor: Actor) -> Ticket: ...
    def skip(self, actor: Actor) -> Ticket: ...
    def transfer(self, actor: Actor, to_window: str) -> Ticket: ...
    def current(self) -> Ticket | None: ...
    def start(self, actor: Actor, case_id: str) -> Ticket | None: ...


class BuiltinQueue:
    """The simple hall queue in the store (SQLite for one station, PostgreSQL for a hall)."""

    def __init__(
        self, session_factory: sessionmaker[Session], clock: Clock, auditor: Auditor, window_no: str, prefix: str = "A"
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        self.window_no = window_no
        self.prefix = prefix

    def _day(self) -> str:
        return self._clock.now().astimezone(_CHINA).strftime("%Y%m%d")

    # -- the ticket machine ---------------------------------------------------------------------
    def issue(self) -> Ticket:
        """Hand out the next number of the day (the hall's ticket machine, the demo, tests)."""
        now = self._clock.now()
        day = self._day()
        with self._sessions.begin() as s:
            count = s.execute(select(func.count()).where(QueueTicket.day == day)).scalar_one()
            row = QueueTicket(day=day, number=f"{self.prefix}{count + 1:03d}", status=WAITING, issued_at=now, calls=0)
            s.add(row)
            s.flush()
            return _ticket(row)

    def waiting(self) -> int:
        with self._sessions() as s:
            return int(
                s.execute(
                    select(func.count()).where(
                        QueueTicket.status == WAITING,
                        or_(QueueTicket.window_no.is_(None), QueueTicket.window_no == self.window_no),
                    )
                ).scalar_one()
            )

    # -- at the window --------------------------------------------------------------------------
    def current(self) -> Ticket | None:
        with self._sessions() as s:
            row = self._current(s)
            return _ticket(row) if row else None

    def _current(self, s: Session) -> QueueTicket | None:
        return s.execute(
            select(QueueTicket)
            .where(QueueTicket.status == CALLED, QueueTicket.window_no == self.window_no)
            .order_by(QueueTicket.called_at.desc())
            .limit(1)
        ).scalar_one_or_none()

    def call_next(self, actor: Actor) -> Ticket:
        actor.require(Permission.CASE_CREATE)
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = s.execute(
                select(QueueTicket)
                .where(
                    QueueTicket.status == WAITING,
                    or_(QueueTicket.window_no.is_(None), QueueTicket.window_no == self.window_no),
                )
                .order_by(QueueTicket.issued_at, QueueTicket.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).scalar_one_or_none()
            if row is None:
                raise QueueEmpty()
            row.status = CALLED
            row.window_no = self.window_no
            row.called_at = now
            row.calls += 1
            self._auditor.record(s, actor, "queue.call", None, ticket=row.number, window=self.window_no)
            return _ticket(row)

    def recall(self, actor: Actor) -> Ticket:
        with self._sessions.begin() as s:
            row = self._current(s)
            if row is None:
                raise NoTicketCalled()
            row.calls += 1
            self._auditor.record(s, actor, "queue.recall", None, ticket=row.number, window=self.window_no)
            return _ticket(row)

    def skip(self, actor: Actor) -> Ticket:
        with self._sessions.begin() as s:
            row = self._current(s)
            if row is None:
                raise NoTicketCalled()
            row.status = NO_SHOW
            self._auditor.record(s, actor, "queue.skip", None, ticket=row.number, window=self.window_no)
            return _ticket(row)

    def transfer(self, actor: Actor, to_window: str) -> Ticket:
        to_window = to_window.strip()
        if not (1 <= len(to_window) <= 16 and to_window.isalnum()) or to_window == self.window_no:
            raise BadWindow()
        with self._sessions.begin() as s:
            row = self._current(s)
            if row is None:
                raise NoTicketCalled()
            row.status = WAITING
            row.window_no = to_window
            self._auditor.record(s, actor, "queue.transfer", None, ticket=row.number, to_window=to_window)
            return _ticket(row)

    def start(self, actor: Actor, case_id: str) -> Ticket | None:
        """Link the ticket called at this window to the case opened for it: the case gets the number,
        the ticket time and the first call time. None when no ticket is called here."""
        with self._sessions.begin() as s:
            row = self._current(s)
            if row is None:
                return None
            case = s.get(Case, case_id)
            if case is None:
                return None
            row.status = STARTED
            row.case_id = case_id
            case.ticket_no = row.number
            case.ticket_at = row.issued_at
            case.called_at = row.called_at
            return _ticket(row)
