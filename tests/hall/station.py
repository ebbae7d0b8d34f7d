"""One station of the hall as its own process (the hall-day acceptance test drives two window stations
and one 帮办 desk with it): the real composition root over the hall's PostgreSQL, the real sync worker
against the back office. Commands come as JSON lines on stdin, answers go as JSON lines on stdout:
``{"op": ..., ...}`` → ``{"ok": true, "value": ...}`` or ``{"ok": false, "error": <class>, "message": <zh>}``.

    python -m tests.hall.station <data dir> <database url> <station> <window> [<back office url>]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from clerk_app.app_context import build_context, file_keyring
from clerk_app.delivery import DeliveryMethod, DeliveryService, Handover
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import Decision, LineStatus
from clerk_app.settings import Settings
from clerk_app.stats import StatsFilter, StatsService
from tests.helpers.case_factory import person

PAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def main() -> None:
    data_dir, url, station, window = sys.argv[1:5]
    backoffice_url = sys.argv[5] if len(sys.argv) > 5 else ""
    settings = Settings(
        data_dir=data_dir, database_url=url, station_code=station, window_no=window, backoffice_url=backoffice_url
    )  # type: ignore[call-arg]
    ctx = build_context(settings, keyring_module=file_keyring(Path(data_dir) / "keyring.cfg"), start_sync=False)
    actors: dict[str, Any] = {}

    def actor(name: str) -> Any:
        if name not in actors:
            password = {"clerk": "Clerk2026", "prereview": "Helper2026", "supervisor": "Audit2026"}.get(
                name, "Clerk2026x"
            )
            actors[name] = ctx.users.authenticate(name, password)
        return actors[name]

    def run(cmd: dict[str, Any]) -> Any:
        op = cmd["op"]
        who = actor(cmd["as"]) if "as" in cmd else None
        cases = ctx.cases
        if op == "register":
            assert ctx.sync is not None
            ctx.sync.client.register(cmd["enrolment"])
            return True
        if op == "start":
            cid = cases.start_case(who, cmd["item"], {"premises": "rented"})
            cases.set_applicant(who, cid, person(cmd["name"], cmd["seq"]))
            return cid
        if op == "receive_all":
            skip = set(cmd.get("defer", []))
            for line in cases.get(who, cmd["case"]).lines:
                if line.status is LineStatus.NOT_REQUIRED:
                    continue
                if line.code in skip:
                    due = dt.date.fromisoformat(cmd["due"])
                    cases.update_line(who, cmd["case"], line.code, status=LineStatus.DEFERRED, due_date=due)
                else:
                    cases.update_line(
                        who,
                        cmd["case"],
                        line.code,
                        originals_received=line.originals_required,
                        copies_received=line.copies_required,
                    )
            return True
        if op == "hand_over":
            cases.hand_over(who, cmd["case"])
            return True
        if op == "queue":
            return [
                v.id for v in cases.drafts(who, ready_only=cmd.get("ready_only", False), scope=cmd.get("scope", "all"))
            ]
        if op == "claim":
            return cases.open_for_work(who, cmd["case"]).read_only_for(who)
        if op == "decide":
            due = dt.date.fromisoformat(cmd["due"]) if cmd.get("due") else None
            res = cases.decide(cmd["case"], Decision(cmd["decision"]), who, reason=cmd.get("reason"), due_date=due)
            return res.case_number
        if op == "add_page":
            ctx.pages.add(who, cmd["case"], cmd["line"], PAGE + cmd["case"].encode(), "image/png")
            return True
        if op == "supplements":
            cases.record_supplements(who, cmd["case"], cmd["lines"])
            return True
        if op == "sync":
            assert ctx.sync is not None
            rep = ctx.sync.worker.run_once()
            return {"sent": rep.sent, "failed": rep.failed}
        if op == "status":
            return cases.get(who, cmd["case"]).status.value
        if op == "ready":
            return [r.case_id for r in cases.results_ready(who)]
        if op == "owed":
            return [o.case_id for o in cases.owed_materials(who, when=cmd.get("when", "due"))]
        if op == "deliver":
            svc = DeliveryService(ctx.sessions, cases, ctx.persons, ctx.auditor)
            receipt = svc.hand_over(who, cmd["case"], Handover(DeliveryMethod.WINDOW, cmd["id_number"]))
            return receipt.case_number
        if op == "void":
            cases.void(who, cmd["case"], cmd["reason"])
            return True
        if op == "stats":
            today = ctx.clock.now().date()
            rep = StatsService(ctx.sessions, ctx.clock).report(who, StatsFilter(today, today))
            return {"decided": rep.decided, "voided": rep.voided, "outcomes": rep.outcomes}
        if op == "verify_audit":
            return ctx.auditor.verify() is None
        raise ValueError(f"unknown op {op}")

    print(json.dumps({"ok": True, "value": "ready"}), flush=True)
    for raw in sys.stdin:
        cmd = json.loads(raw)
        try:
            out = {"ok": True, "value": run(cmd)}
        except ClerkAppError as exc:
            out = {"ok": False, "error": type(exc).__name__, "message": exc.user_message("zh_CN")}
        print(json.dumps(out, ensure_ascii=False, default=str), flush=True)
    ctx.close()


if __name__ == "__main__":
    main()
