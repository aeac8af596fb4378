"""EPCIS 1.2 XML speed: events per second writing a large ledger as 1.2 XML, and reading it back.

Run from the repository root::

    .venv/bin/python -m bench.xml12                          # N = 100k movements
    .venv/bin/python -m bench.xml12 --movements 10000,100000
    .venv/bin/python -m bench.xml12 --quick                  # N = 5000, for CI
    .venv/bin/python -m bench.xml12 --xsd ../shared/research/refdata/external/epcis12/xsd
                                                             # also read with the official XSD

The ledger is the distribution-centre ledger of :mod:`bench.exports` (N movements, one per
transaction, on a SQLite file). Each phase runs in a fresh process:

* **export**: ``inv.epcis.write_xml`` streams the whole ledger as one EPCIS 1.2 document with
  a header (sender, receiver and the lots' master data, which 1.2 puts before the events, so
  the events are spooled first);
* **read**: ``read_epcis`` of that file: hardened parse, the built-in check of the 1.2 content
  model, and the typed events (with ``--xsd``, validated by the XSD as well, through
  ``xmlschema``);
* **import**: ``inv.epcis.expect`` of the same file into a fresh in-memory inventory: reading
  plus the expected receipts of every shipment (one per sales order) stored as documents.

Reported: events per second (wall clock, and per CPU second of the process, which a busy
machine disturbs less) for each phase, the document's size and the peak RSS rise. This is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import stockline as sl
from bench._common import RESULTS, Memory, Progress, Stopwatch, environment, print_table, write_json
from bench.exports import START, _gln, build
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.epcis import read_epcis


def export(url: str, target: str) -> dict[str, Any]:
    """Stream the ledger at ``url`` to ``target`` as EPCIS 1.2 XML with a header."""
    inv = sl.Inventory(store=SqlAlchemyStockStore.open(url), clock=sl.FixedClock(START))
    watch, memory = Stopwatch(), Memory()
    with memory.watching(), watch.timing():
        events = inv.epcis.write_xml(target, sender=_gln(0), receiver=_gln(200))
    inv.close()
    return {
        "events": events,
        "export_seconds": watch.seconds,
        "export_cpu_seconds": watch.cpu_seconds,
        "export_events_per_second": watch.rate(events),
        "export_events_per_cpu_second": events / watch.cpu_seconds,
        "document_bytes": os.path.getsize(target),
        "export_peak_rss_rise_bytes": memory.delta,
    }


def read(target: str, xsd: str | None) -> dict[str, Any]:
    """Read the document into typed events (and validate it with the XSD, if given)."""
    watch, memory = Stopwatch(), Memory()
    with memory.watching(), watch.timing():
        events = len(read_epcis(target, schema=xsd).events)
    prefix = "read_xsd" if xsd else "read"
    return {
        f"{prefix}_seconds": watch.seconds,
        f"{prefix}_cpu_seconds": watch.cpu_seconds,
        f"{prefix}_events_per_second": watch.rate(events),
        f"{prefix}_events_per_cpu_second": events / watch.cpu_seconds,
        f"{prefix}_peak_rss_rise_bytes": memory.delta,
    }


def expect(target: str, events: int) -> dict[str, Any]:
    """Import the document's shipments as expected receipts into a fresh inventory."""
    inv = sl.Inventory(clock=sl.FixedClock(START))
    watch, memory = Stopwatch(), Memory()
    with memory.watching(), watch.timing():
        found = inv.epcis.expect(target)
    return {
        "expectations": len(found),
        "import_seconds": watch.seconds,
        "import_cpu_seconds": watch.cpu_seconds,
        "import_events_per_second": watch.rate(events),
        "import_events_per_cpu_second": events / watch.cpu_seconds,
        "import_peak_rss_rise_bytes": memory.delta,
    }


def run(size: int, batch: int, workdir: str, xsd: str | None) -> dict[str, Any]:
    """Build, export, read and import one ledger size, each phase in a fresh process."""
    url = f"sqlite:///{workdir}/ledger-{size}.db"
    target = f"{workdir}/ledger-{size}.xml"
    context = multiprocessing.get_context("spawn")

    def fresh(fn: Any, *args: Any) -> dict[str, Any]:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(fn, *args).result()  # type: ignore[no-any-return]

    result = {**fresh(build, url, size, batch), **fresh(export, url, target)}
    result |= fresh(read, target, None)
    if xsd is not None:
        result |= fresh(read, target, xsd)
    result |= fresh(expect, target, result["events"])
    Progress(f"xml12 {size:,}")(
        f"{result['events']:,} events: export {result['export_events_per_second']:,.0f}/s, "
        f"read {result['read_events_per_second']:,.0f}/s, "
        f"import {result['import_events_per_second']:,.0f}/s"
    )
    return result


def main(argv: Sequence[str] | None = None) -> None:
    """Run every size, print the table and write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.xml12", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--movements", default="100000", help="ledger sizes N, comma-separated")
    parser.add_argument("--quick", action="store_true", help="N = 5000 (CI)")
    parser.add_argument("--batch", type=int, default=5000, help="transactions per post_many call")
    parser.add_argument("--xsd", help="the EPCIS 1.2 XSD (file or folder) to read with as well")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--tmpdir", help="where the files go (default: the system's)")
    args = parser.parse_args(argv)
    sizes = [5000] if args.quick else [int(s.replace("_", "")) for s in args.movements.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stockline-bench-", dir=args.tmpdir) as workdir:
        results = [run(size, args.batch, workdir, args.xsd) for size in sizes]
    columns = ["movements", "events", "document", "export ev/s", "read ev/s", "import ev/s"]
    if args.xsd:
        columns.append("read+XSD ev/s")
    columns.append("per CPU s: export / read / import")
    print_table(
        "EPCIS 1.2 XML (write_xml, read_epcis, expect; SQLite file, one process per phase)",
        columns,
        [
            [
                f"{r['movements']:,}",
                f"{r['events']:,}",
                f"{r['document_bytes'] / 2**20:,.0f} MiB",
                f"{r['export_events_per_second']:,.0f}",
                f"{r['read_events_per_second']:,.0f}",
                f"{r['import_events_per_second']:,.0f}",
                *([f"{r['read_xsd_events_per_second']:,.0f}"] if args.xsd else []),
                " / ".join(
                    f"{r[f'{phase}_events_per_cpu_second']:,.0f}"
                    for phase in ("export", "read", "import")
                ),
            ]
            for r in results
        ],
        caption="events: a commissioning event per new lot plus one event per movement; "
        "events per CPU second depend less on how busy the machine is than events per second",
    )
    write_json(
        args.json or RESULTS / "xml12.json",
        {
            "environment": environment(),
            "results": results,
            "seconds": time.perf_counter() - started,
        },
    )


if __name__ == "__main__":
    main()
