"""Sync throughput: decided cases (each with N scanned pages) uploaded by the real worker to the real
back office (PostgreSQL) over loopback, against a raw upload of the same bytes in the same run.

    .venv/bin/python bench/bench_sync.py [--cases 1000] [--pages 3] [--page-kb 64] [--runs 3]
        [--batch-cases 16] [--inline-kb 2048] [--pg-fsync on]

Per run: a fresh back-office database and a fresh local store; the worker runs in its own process
(so its peak RSS is measured alone, via wait4) and sends everything once. The floor is the same
payload (one packet-sized JSON POST + the page bytes as single PUTs per case) sent with one keep-alive
httpx client to a bare uvicorn app that discards it. Reported: medians of cases/s and MB/s, the ratio
sync/raw, the worker's peak RSS (which should not grow with the total bytes sent: pages are
streamed chunk by chunk), and the CPU per case of each process while it ran — the worker (all its
threads), the back office, PostgreSQL's backends, and the raw client + sink — which says where the
time goes on a shared machine, where wall-clock figures swing with the other processes' load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sink_app():  # type: ignore[no-untyped-def]
    """A bare ASGI app that reads and discards the request body (the floor)."""

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def run_sink(port: int) -> None:
    import uvicorn

    uvicorn.run(sink_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run_worker(
    db: str, att: str, url: str, station: str, enrol: str, chunk_kb: int, inline_kb: int, batch_cases: int
) -> None:
    from clerk_app.store.db import open_store
    from clerk_app.sync import (
        BackOfficeClient,
        FolderAttachments,
        PacketBuilder,
        StationCredentials,
        SyncSettings,
        SyncWorker,
        TransportSettings,
    )
    from testsupport.sync import masked_decoder

    _engine, sessions = open_store(f"sqlite:///{db}")
    client = BackOfficeClient(TransportSettings(url), StationCredentials(station))
    client.register(enrol)
    worker = SyncWorker(
        sessions,
        client,
        PacketBuilder(masked_decoder),
        FolderAttachments(att),
        station_code=station,
        settings=SyncSettings(
            chunk_size=chunk_kb * 1024,
            batch_size=200,
            inline_pages_max_bytes=inline_kb * 1024,
            batch_cases=batch_cases,
        ),
    )
    t0, cpu0 = time.perf_counter(), time.process_time()
    while worker.counts()[0]:
        report = worker.run_once()
        if report.upload_error is not None:
            raise SystemExit(f"upload failed: {report.upload_error}")
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - cpu0}))


def _cpu_seconds(pid: int) -> float:
    """user + system CPU of a live process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu(parent: int) -> dict[int, float]:
    """CPU of each live child of ``parent`` (PostgreSQL's backends under its postmaster)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                out[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def _postmaster(pg) -> int:  # type: ignore[no-untyped-def]
    return int(Path(pg.datadir, "postmaster.pid").read_text().split()[0])


def wait_http(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def raw_upload(port: int, packets: list[bytes], files: list[list[Path]]) -> float:
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        t0 = time.perf_counter()
        for packet, pages in zip(packets, files):
            c.post("/packet", content=packet, headers={"Content-Type": "application/json"})
            for page in pages:
                c.put("/page", content=page.read_bytes())
        return time.perf_counter() - t0


def one_run(args: argparse.Namespace, pg, tmp: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]

    from clerk_app.store.db import open_store
    from clerk_app.sync.packet import PacketBuilder
    from testsupport.backoffice_server import RunningBackOffice
    from testsupport.sync import masked_decoder, seed_cases

    run_dir = Path(tempfile.mkdtemp(dir=tmp))
    db, att = run_dir / "clerk.db", run_dir / "att"
    engine, sessions = open_store(f"sqlite:///{db}")
    size = args.page_kb * 1024
    ids = seed_cases(
        sessions, att, args.cases, random.Random(1), station="B01", pages=(args.pages, args.pages), size=(size, size)
    )
    builder = PacketBuilder(masked_decoder)
    packets, files = [], []
    with sessions() as s:
        for cid in ids:
            built = builder.build(s, cid)
            packets.append(json.dumps(built.body).encode())
            files.append([att / f.sha256 for f in built.files])
        total_bytes = sum(p.stat().st_size for fs in files for p in fs)
    engine.dispose()

    server = RunningBackOffice(pg.create_database("b_" + uuid.uuid4().hex[:10]))
    server.start()
    try:
        env = dict(
            os.environ,
            PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
            XDG_DATA_HOME=str(run_dir / "xdg"),
            PYTHONWARNINGS="ignore",
            PYTHONPATH=str(ROOT),
        )
        bo_pid = server._proc.pid  # type: ignore[union-attr]
        bo_cpu0, pg_cpu0 = _cpu_seconds(bo_pid), _children_cpu(_postmaster(pg))
        proc = subprocess.Popen(
            [
                sys.executable,
                os.environ.get("BENCH_WORKER_SCRIPT", __file__),
                "worker",
                str(db),
                str(att),
                server.url,
                "B01",
                server.add_station("B01"),
                str(args.chunk_kb),
                str(args.inline_kb),
                str(args.batch_cases),
            ],
            env=env,
            stdout=subprocess.PIPE,
        )
        out = proc.stdout.read()  # type: ignore[union-attr]
        bo_cpu = _cpu_seconds(bo_pid) - bo_cpu0
        pg_cpu1 = _children_cpu(_postmaster(pg))
        pg_cpu = sum(v - pg_cpu0.get(pid, 0.0) for pid, v in pg_cpu1.items())
        _pid, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            raise SystemExit("worker failed")
        answer = json.loads(out)
        sync_seconds = answer["seconds"]
        assert server.case_count() == args.cases
    finally:
        server.close()

    from testsupport.postgres import free_port

    port = free_port()
    sink = subprocess.Popen([sys.executable, __file__, "sink", str(port)])
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        sink_cpu0, client_cpu0 = _cpu_seconds(sink.pid), time.process_time()
        raw_seconds = raw_upload(port, packets, files)
        raw_cpu = time.process_time() - client_cpu0 + _cpu_seconds(sink.pid) - sink_cpu0
    finally:
        sink.terminate()
        sink.wait(10)
    shutil.rmtree(run_dir, ignore_errors=True)
    mb = total_bytes / 1e6
    return {
        "sync_cases_s": args.cases / sync_seconds,
        "sync_mb_s": mb / sync_seconds,
        "raw_cases_s": args.cases / raw_seconds,
        "raw_mb_s": mb / raw_seconds,
        "worker_peak_rss_mb": usage.ru_maxrss / 1024,
        "total_mb": mb,
        # CPU per case (ms) of each side, to see where the time goes on a shared machine
        "cpu_worker_ms_case": answer["cpu"] * 1000 / args.cases,  # while sending (not its start-up)
        "cpu_backoffice_ms_case": bo_cpu * 1000 / args.cases,
        "cpu_postgres_ms_case": pg_cpu * 1000 / args.cases,
        "cpu_raw_ms_case": raw_cpu * 1000 / args.cases,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "sink":
        run_sink(int(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        run_worker(*sys.argv[2:7], chunk_kb=int(sys.argv[7]), inline_kb=int(sys.argv[8]), batch_cases=int(sys.argv[9]))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--pages", type=int, default=3)
    p.add_argument("--page-kb", type=int, default=64)
    p.add_argument("--chunk-kb", type=int, default=1024)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--pg-fsync", choices=("on", "off"), default="on", help="PostgreSQL fsync (on: what a hall's server does)"
    )
    p.add_argument("--inline-kb", type=int, default=2048, help="a case's pages up to this go inline (0: chunked only)")
    p.add_argument(
        "--batch-cases", type=int, default=16, help="small cases per batch request (1: one request per case)"
    )
    args = p.parse_args()
    from testsupport.postgres import start_postgres

    pg = start_postgres(fsync=args.pg_fsync == "on")
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    results = []
    try:
        for i in range(args.runs):
            r = one_run(args, pg, tmp)
            results.append(r)
            print(f"run {i + 1}: " + ", ".join(f"{k}={v:.2f}" for k, v in r.items()), flush=True)
    finally:
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"\n{args.cases} cases x {args.pages} pages x {args.page_kb} KiB ({med['total_mb']:.1f} MB), "
        f"{args.runs} runs, medians:"
    )
    print(f"  sync : {med['sync_cases_s']:.1f} cases/s, {med['sync_mb_s']:.2f} MB/s")
    print(f"  raw  : {med['raw_cases_s']:.1f} cases/s, {med['raw_mb_s']:.2f} MB/s (same bytes, bare uvicorn sink)")
    print(f"  ratio sync/raw: {med['sync_cases_s'] / med['raw_cases_s']:.2f}")
    print(f"  worker peak RSS: {med['worker_peak_rss_mb']:.1f} MB")
    print(
        f"  CPU per case while syncing: worker {med['cpu_worker_ms_case']:.1f} ms, back office "
        f"{med['cpu_backoffice_ms_case']:.1f} ms, PostgreSQL {med['cpu_postgres_ms_case']:.1f} ms; "
        f"raw client + sink {med['cpu_raw_ms_case']:.1f} ms"
    )


if __name__ == "__main__":
    main()
