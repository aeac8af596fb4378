"""EPCIS REST query speed: events per second a paginated ``GET /events`` serves over HTTP.

Run from the repository root::

    .venv/bin/python -m bench.server                          # N = 100k movements
    .venv/bin/python -m bench.server --movements 1000000      # the 1M-movement ledger
    .venv/bin/python -m bench.server --quick                  # N = 5000
    .venv/bin/python -m bench.server --movements 1000000 --ledger /tmp/l1m.db
                                  # build into that file once (kept), then reuse it

The ledger of ``bench.exports`` (receipts of lot-tracked items from suppliers, put-aways,
picks and shipments to 20 customers; one movement per transaction) is posted onto a SQLite
file. Then the EPCIS app (``stockline.server.create_app``) is served by uvicorn in a process
of its own on loopback, and a client (httpx, in this process) reads every event with
``GET /events?perPage=1000``, following the next-page links to the end: the events per
second of the whole walk, and the time of the first and of the last pages (a page at the end
of the ledger should cost what one at its start does: the app reads from where the page
starts). Then the same for one customer (``party="C01"``, which sees a tenth of the
shipments), which mostly skips. Also reported: the server's peak RSS. A measurement, not a
test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx

import stockline as sl
from bench._common import RESULTS, Progress, environment, print_table, write_json
from bench.exports import build
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.server import Limits, Partner, create_app

PAGE = 1000
TOKENS = {"erp": Partner(name="erp", party=None), "c01": Partner(name="c01", party="C01")}


def serve(url: str, port: int) -> None:
    """Serve the ledger at ``url`` on ``port`` (the server process)."""
    import uvicorn

    inv = sl.Inventory(store=SqlAlchemyStockStore.open(url, migrate=False))
    app = create_app(inv, authenticate=TOKENS.get, limits=Limits(max_page_size=PAGE))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def walk(client: httpx.Client, token: str) -> dict[str, Any]:
    """Every event of ``GET /events``, a page at a time; the pages' times."""
    headers = {"Authorization": f"Bearer {token}"}
    url: str | None = f"/events?perPage={PAGE}"
    events, pages = 0, []
    started = time.perf_counter()
    while url is not None:
        begun = time.perf_counter()
        response = client.get(url, headers=headers)
        response.raise_for_status()
        body = response.json()
        pages.append(time.perf_counter() - begun)
        events += len(body["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
        link = response.headers.get("link")
        url = None if link is None else link[1 : link.index(">")]
    seconds = time.perf_counter() - started
    return {
        "events": events,
        "pages": len(pages),
        "seconds": seconds,
        "events_per_second": events / seconds if seconds else 0.0,
        "first_page_seconds": pages[0],
        "last_full_page_seconds": pages[-2] if len(pages) > 1 else pages[0],
    }


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def query(url: str) -> dict[str, Any]:
    """Start the server over ``url`` and walk every page, as the owner and as one customer."""
    port = _port()
    root = Path(__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    code = f"from bench.server import serve; serve({url!r}, {port})"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
    try:
        for _ in range(600):
            try:
                client.get("/openapi.json")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        owner = walk(client, "erp")
        customer = walk(client, "c01")
        rss = _rss_kib(server.pid) * 1024
    finally:
        client.close()
        server.terminate()
        server.wait()
    return {"owner": owner, "customer": customer, "server_peak_rss_bytes": rss}


def run(size: int, batch: int, workdir: str, ledger: Path | None = None) -> dict[str, Any]:
    """Build one ledger (in a fresh process; unless ``ledger`` holds one already), then serve
    and query it."""
    path = ledger or Path(workdir) / f"ledger-{size}.db"
    url = f"sqlite:///{path}"
    built: dict[str, Any] = {"movements": size, "post_seconds": None}
    if not path.exists():
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            built = pool.submit(build, url, size, batch).result()
    measured = query(url)
    owner = measured["owner"]
    Progress(f"query {size:,}")(
        f"{owner['events']:,} events in {owner['seconds']:.1f}s "
        f"({owner['events_per_second']:,.0f} events/s)"
    )
    return {**built, **measured}


def main(argv: Sequence[str] | None = None) -> None:
    """Run every size, print the table and write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.server", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--movements", default="100000", help="ledger sizes N, comma-separated")
    parser.add_argument("--quick", action="store_true", help="N = 5000")
    parser.add_argument("--batch", type=int, default=5000, help="transactions per post_many call")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--tmpdir", help="where the SQLite files go (default: the system's)")
    parser.add_argument(
        "--ledger", type=Path, help="the SQLite file of the (one) size: built if absent, kept"
    )
    args = parser.parse_args(argv)
    sizes = [5000] if args.quick else [int(s.replace("_", "")) for s in args.movements.split(",")]
    if args.ledger is not None and len(sizes) != 1:
        parser.error("--ledger takes one size")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stockline-bench-", dir=args.tmpdir) as workdir:
        results = [run(size, args.batch, workdir, args.ledger) for size in sizes]
    rows = []
    for r in results:
        for who in ("owner", "customer"):
            q = r[who]
            rows.append(
                [
                    f"{r['movements']:,}",
                    "every event" if who == "owner" else "one customer (C01)",
                    f"{q['events']:,}",
                    f"{q['pages']:,}",
                    f"{q['seconds']:,.1f}",
                    f"{q['events_per_second']:,.0f}",
                    f"{q['first_page_seconds'] * 1000:,.0f} ms",
                    f"{q['last_full_page_seconds'] * 1000:,.0f} ms",
                    f"{r['server_peak_rss_bytes'] / 2**20:,.0f} MiB",
                ]
            )
    print_table(
        f"EPCIS REST GET /events, perPage={PAGE} (uvicorn + httpx on loopback, SQLite file)",
        [
            "movements",
            "query",
            "events",
            "pages",
            "seconds",
            "events/s",
            "first page",
            "last full page",
            "server peak RSS",
        ],
        rows,
        caption="a page reads at most 50,000 transactions (Limits.max_scan)",
    )
    write_json(
        args.json or RESULTS / "server.json",
        {
            "environment": environment(),
            "results": results,
            "seconds": time.perf_counter() - started,
        },
    )


if __name__ == "__main__":
    main()
