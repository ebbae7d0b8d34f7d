"""A back office holding a city: N simulated stations sync M cases each, all at once, on loopback, to the
real back office (``python -m backoffice serve --workers W``: several uvicorn processes on one
PostgreSQL 15).

    .venv/bin/python bench/bench_backoffice_load.py [--stations 10,50,100] [--cases 5] [--pages 2]
                                                  [--page-kb 64] [--workers 4] [--runs 1]

Per station count and run: a fresh database, the stations enrolled and registered, then every station
(one asyncio task with its own HTTP connection, in one client process) gets a token and uploads its
cases one after another: the case packet, then each page as one PUT (verified and completed by the
server). Reported: cases/s over the whole run, p50/p99 latency of one case (packet + pages), the peak
number of PostgreSQL connections (pg_stat_activity, sampled every 50 ms), errors. The floor is the same
client and requests against a bare uvicorn app that reads and discards each body (one process), in the
same run; the ratio says how much the back office's own work costs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def packet(code: str, files: list[bytes]) -> dict:
    shas = [hashlib.sha256(f).hexdigest() for f in files]
    cid = str(uuid.uuid4())
    return {
        "schema_version": "case-packet/1",
        "case_id": cid,
        "case_number": "B" + cid[:12],
        "station_code": code,
        "window_no": "01",
        "item_code": "SC-GTGSH-SL",
        "item_name": "个体工商户设立登记",
        "catalogue_version": "2026.1",
        "decision": "accepted",
        "promised_date": "2026-12-31",
        "answers": {"premises": "rented"},
        "applicant": {"kind": "person", "name": "张三", "document_number": "110101199003071234"},
        "agent": None,
        "lines": [
            {
                "requirement_code": "ID",
                "name": "身份证明",
                "form": "original",
                "status": "verified",
                "originals_received": 1,
                "copies_received": 0,
                "pages": [{"position": i, "sha256": s} for i, s in enumerate(shas)],
            }
        ],
        "attachments": [{"sha256": s, "size": len(f), "mime": "image/png"} for s, f in zip(shas, files)],
    }


async def station_run(url: str, code: str, secret: str | None, cases: int, pages: int, page_kb: int, seed: int):
    import httpx

    rng = random.Random(seed)
    latencies: list[float] = []
    errors = retries = 0
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as c:

        async def send(method: str, path: str, **kw):  # type: ignore[no-untyped-def]
            # Like a real station: a dropped connection (e.g. a keep-alive closed by the server just as
            # the request went out) is retried; every request here is idempotent.
            nonlocal retries
            for attempt in range(4):
                try:
                    return await c.request(method, path, **kw)
                except httpx.TransportError:
                    if attempt == 3:
                        raise
                    retries += 1
            raise AssertionError("unreachable")

        if secret is not None:
            r = await send("POST", "/v1/auth/token", json={"station_code": code, "station_secret": secret})
            c.headers["Authorization"] = "Bearer " + r.json()["access_token"]
        for _ in range(cases):
            files = [rng.randbytes(page_kb * 1024) for _ in range(pages)]
            p = packet(code, files)
            start = time.perf_counter()
            try:
                r = await send("POST", "/v1/case-packets", json=p, headers={"Idempotency-Key": p["case_id"]})
                ok = r.status_code in (200, 201, 204)
                for att, data in zip(p["attachments"], files):
                    path = f"/v1/cases/{p['case_id']}/attachments/{att['sha256']}?offset=0"
                    r = await send("PUT", path, content=data)
                    ok = ok and r.status_code in (200, 204)
            except httpx.TransportError:
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok
    return latencies, errors, retries


def client_process(url: str, creds: list[tuple[str, str | None]], cases: int, pages: int, page_kb: int, out) -> None:  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        results = await asyncio.gather(
            *(station_run(url, code, secret, cases, pages, page_kb, i) for i, (code, secret) in enumerate(creds))
        )
        return time.perf_counter() - start, results

    try:
        elapsed, results = asyncio.run(main())
    except BaseException as exc:
        out.put({"failed": repr(exc)})
        raise
    lat = [x for r in results for x in r[0]]
    out.put(
        {
            "elapsed": elapsed,
            "latencies": lat,
            "errors": sum(r[1] for r in results),
            "retries": sum(r[2] for r in results),
        }
    )


def run_clients(url: str, creds, cases: int, pages: int, page_kb: int) -> dict:  # type: ignore[no-untyped-def]
    q: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=client_process, args=(url, creds, cases, pages, page_kb, q))
    proc.start()
    result = q.get(timeout=3600)
    proc.join()
    if "failed" in result:
        raise RuntimeError("client process failed: " + result["failed"])
    return result


def run_sink(port: int) -> None:
    import uvicorn

    from bench.bench_sync import sink_app

    uvicorn.run(sink_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


class ConnectionSampler(threading.Thread):
    def __init__(self, admin_url: str) -> None:
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            n = self.conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
            self.peak = max(self.peak, int(n.fetchone()[0]) - 1)  # without the sampler itself
            time.sleep(0.05)
        self.conn.close()


def wait_up(url: str, proc: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            httpx.get(url + "/v1/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def one_run(pg, n: int, args) -> dict:  # type: ignore[no-untyped-def]
    import httpx

    from backoffice import service
    from backoffice.db import open_database
    from testsupport.postgres import free_port

    db_url = pg.create_database("load_" + uuid.uuid4().hex[:8])
    engine, sessions = open_database(db_url)
    codes = [f"L{i:03d}" for i in range(n)]
    with sessions() as s:
        enrol = {code: service.add_station(s, code, code) for code in codes}
    engine.dispose()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BACKOFFICE_DATABASE_URL=db_url, PYTHONPATH=str(ROOT))
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "-m", "backoffice", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    try:
        wait_up(url, server)
        with httpx.Client(base_url=url, timeout=30) as c:
            creds = [
                (
                    code,
                    c.post("/v1/stations/register", json={"station_code": code, "enrolment_code": enrol[code]}).json()[
                        "station_secret"
                    ],
                )
                for code in codes
            ]
        sampler = ConnectionSampler(pg.admin_url)
        sampler.start()
        result = run_clients(url, creds, args.cases, args.pages, args.page_kb)
        sampler.stop.set()
        sampler.join()
        result["pg_peak"] = sampler.peak
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    sink_port = free_port()
    sink = multiprocessing.Process(target=run_sink, args=(sink_port,))
    sink.start()
    try:
        wait_up(f"http://127.0.0.1:{sink_port}")
        floor = run_clients(
            f"http://127.0.0.1:{sink_port}", [(c, None) for c in codes], args.cases, args.pages, args.page_kb
        )
    finally:
        sink.terminate()
        sink.join()
    total = n * args.cases
    lat = sorted(result["latencies"])
    return {
        "stations": n,
        "cases": total,
        "cases_per_s": total / result["elapsed"],
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))],
        "pg_peak": result["pg_peak"],
        "errors": result["errors"],
        "retries": result["retries"],
        "floor_cases_per_s": total / floor["elapsed"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stations", default="10,50,100")
    ap.add_argument("--cases", type=int, default=5, help="cases per station")
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--page-kb", type=int, default=64)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # interruptible even when started with &
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # ... and stopped cleanly: PostgreSQL too

    from testsupport.postgres import start_postgres

    pg = start_postgres()
    rows = []
    try:
        for n in (int(x) for x in args.stations.split(",")):
            runs = [one_run(pg, n, args) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            med["errors"] = sum(r["errors"] for r in runs)
            med["retries"] = sum(r["retries"] for r in runs)
            rows.append(med)
    finally:
        pg.stop()
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps(rows))
        return
    print(
        f"# {args.cases} cases/station, {args.pages} × {args.page_kb} KiB pages, {args.workers} workers, "
        f"median of {args.runs} run(s), load average {load:.1f}"
    )
    print(
        "| Stations | Cases | Cases/s | p50 ms | p99 ms | PG connections (peak) | Errors (retries) "
        "| Floor cases/s | Ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['stations']:.0f} | {r['cases']:.0f} | {r['cases_per_s']:.1f} "
            f"| {r['p50_ms']:.0f} | {r['p99_ms']:.0f} "
            f"| {r['pg_peak']:.0f} | {r['errors']:.0f} ({r['retries']:.0f}) | {r['floor_cases_per_s']:.1f} "
            f"| {r['cases_per_s'] / r['floor_cases_per_s']:.2f} |"
        )


if __name__ == "__main__":
    main()
