"""Child process for the concurrent-writer test: decides the given cases and writes audit events
against a shared store, counting failures. Usage:
python -m tests.core.writer_child DATA_DIR CASE_ID,CASE_ID,... AUDIT_WRITES START_AT"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tests.core.test_store_writers import write_load
from tests.helpers.core import make_world


def main() -> None:
    data_dir, ids, audits, start_at = sys.argv[1:5]
    world = make_world(Path(data_dir))
    clerk = world.login("clerk")
    time.sleep(max(0.0, float(start_at) - time.time()))  # start together with the others
    result = write_load(world, clerk, [i for i in ids.split(",") if i], int(audits), "proc")
    world.ctx.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
