"""Child process for crash tests: does one step against a store, then is killed with SIGKILL at a
chosen point. Usage: python -m tests.core.crash_child DATA_DIR DB_URL MODE CASE_ID"""

from __future__ import annotations

import os
import signal
import sys

from clerk_app.lifecycle import Decision
from tests.helpers.core import make_world


def main() -> None:
    data_dir, url, mode, case_id = sys.argv[1:5]
    world = make_world(__import__("pathlib").Path(data_dir), database_url=url)
    clerk = world.login("clerk")
    cases = world.ctx.cases
    if mode == "kill-before-commit":
        # Allocate inside the decision transaction, then die before it commits.
        from clerk_app.case_numbers import allocate_case_number

        with world.ctx.sessions.begin() as s:
            number = allocate_case_number(s, "WH01", world.clock.now().date())
            print(number, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "kill-after-commit":
        result = cases.decide(case_id, Decision.ACCEPT, clerk)
        print(result.case_number, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "kill-mid-intake":
        cases.set_answers(clerk, case_id, {"via_agent": True, "uses_name": True})
        cases.update_line(clerk, case_id, "APPLY", originals_received=1)
        cases.update_line(
            clerk,
            case_id,
            "APPLY",
            status=__import__("clerk_app.lifecycle", fromlist=["LineStatus"]).LineStatus.VERIFIED,
        )
        cases.update_line(clerk, case_id, "PREMISES", copies_received=1)
        print("ok", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
