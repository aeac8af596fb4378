"""Receipts and shipments with an availability check: stockline against Tryton's stock module.

Run from the repository root, with Tryton installed in its own virtual environment (it is
not a dependency of stockline)::

    python3 -m venv .tryton-venv && .tryton-venv/bin/pip install trytond trytond_stock
    .venv/bin/python -m bench.erp --tryton-python .tryton-venv/bin/python
    .venv/bin/python -m bench.erp --quick      # small: a check that both sides run

Without a Tryton interpreter the benchmark says how to make one and exits (status 0).

One seeded plan of documents (one line each: an item, a quantity, a supplier or customer and
an order number) is posted by both sides, one after the other on the same machine, in the
same order: a few untimed warm-up documents, then receipts one document per transaction,
shipments one per transaction, then receipts and shipments ``--batch`` documents per
transaction. Shipments only ask for stock the plan has received, so every availability
check passes; each side's final stock is checked against the plan.

* **Tryton** (``bench/_tryton_worker.py``, run by the given interpreter): a fresh SQLite
  database with ``stock`` activated, a company, the default warehouse, the items, suppliers
  and customers. A receipt is a ``stock.shipment.in`` created, received and done (supplier
  → input, then input → storage: two moves); a shipment a ``stock.shipment.out`` created,
  set waiting, ``assign_try``-ed (the availability check), picked, packed and done (storage
  → output, then output → customer: two moves). A batch is the same class methods called on
  the whole list of documents.
* **stockline**, in this process, on a SQLite file (``Inventory.open``): ``inv.receive`` and
  ``inv.ship`` one call each (supplier → storage, storage → customer: one movement, with the
  posting's availability check), and ``inv.post_many`` of the same transactions built as
  drafts. Once with the store's default ``synchronous=FULL``, once with ``NORMAL``, which is
  what Tryton's SQLite backend always uses (both in WAL mode).

The untimed warm-up documents are used to count the SQL statements each side sends per
document (Tryton: SQLite's trace callback; stockline: SQLAlchemy's cursor events as in
``bench.suite``; neither counts ``BEGIN`` or ``COMMIT``).

Not a test: it prints tables and writes ``bench/results/erp.json`` (``--json`` elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

import stockline as sl
from bench import _common
from bench._common import RESULTS, Progress, Stopwatch, environment, print_table, write_json
from bench.suite import StatementCounter
from stockline.adapters.sqlalchemy import SqlAlchemyStockStore
from stockline.ledger import Reference

WORKER = Path(__file__).with_name("_tryton_worker.py")
DEFAULT_TRYTON = Path(".tryton-venv/bin/python")
SEED = 20261206
ITEMS = 200
SUPPLIERS = 10
CUSTOMERS = 50
#: Where stock is received into and shipped from (Tryton: the warehouse's storage location).
STORAGE = "WH/STO"
WARMUP = 20
#: stockline's stores: the default durability, and Tryton's.
SYNCHRONOUS = ("FULL", "NORMAL")


@attrs.frozen
class Line:
    """One document of one line.

    Attributes:
        sku: The item.
        quantity: Units.
        party: The supplier (receipts) or customer (shipments).
        ref: The purchase or sales order number.
    """

    sku: str
    quantity: int
    party: str
    ref: str


@attrs.frozen
class Phase:
    """Documents of one kind, posted ``batch`` per transaction.

    Attributes:
        name: What the table calls it.
        kind: ``receipt`` or ``shipment``.
        batch: Documents per transaction.
        lines: The documents.
        timed: Whether it is reported (warm-up phases are not).
    """

    name: str
    kind: str
    batch: int
    lines: tuple[Line, ...]
    timed: bool = True


class Plan:
    """The seeded documents both sides post, and the stock they must end with."""

    def __init__(
        self, seed: int, singles: int, batch: int, batches: int, items: int = ITEMS
    ) -> None:
        self.rng = random.Random(seed)
        self.items = [f"SKU-{n:04d}" for n in range(1, items + 1)]
        self.suppliers = [f"S{n:03d}" for n in range(1, SUPPLIERS + 1)]
        self.customers = [f"C{n:04d}" for n in range(1, CUSTOMERS + 1)]
        self.stock: dict[str, int] = {}
        self._count = 0
        self.phases = [
            Phase("warm-up receipts", "receipt", 1, self._receipts(WARMUP), timed=False),
            Phase("warm-up shipments", "shipment", 1, self._shipments(WARMUP), timed=False),
            Phase("receipts, one per transaction", "receipt", 1, self._receipts(singles)),
            Phase("shipments, one per transaction", "shipment", 1, self._shipments(singles)),
            Phase(f"receipts, {batch:,} per transaction", "receipt", batch,
                  self._receipts(batch * batches)),
            Phase(f"shipments, {batch:,} per transaction", "shipment", batch,
                  self._shipments(batch * batches)),
        ]  # fmt: skip

    def _receipts(self, count: int) -> tuple[Line, ...]:
        lines = []
        for _ in range(count):
            self._count += 1
            # Popular items are received (and so shipped) more often.
            sku = self.items[int(len(self.items) * self.rng.random() ** 2)]
            quantity = self.rng.randrange(12, 241, 12)
            self.stock[sku] = self.stock.get(sku, 0) + quantity
            supplier = self.rng.choice(self.suppliers)
            lines.append(Line(sku, quantity, supplier, f"PO-{self._count:07d}"))
        return tuple(lines)

    def _shipments(self, count: int) -> tuple[Line, ...]:
        lines = []
        for _ in range(count):
            self._count += 1
            held = sorted(sku for sku, quantity in self.stock.items() if quantity)
            sku = self.rng.choice(held)
            quantity = self.rng.randint(1, min(self.stock[sku], 48))
            self.stock[sku] -= quantity
            customer = self.rng.choice(self.customers)
            lines.append(Line(sku, quantity, customer, f"SO-{self._count:07d}"))
        return tuple(lines)

    def as_json(self, workdir: str) -> dict[str, Any]:
        """The plan as the Tryton worker reads it."""
        return {
            "workdir": workdir,
            "items": self.items,
            "suppliers": self.suppliers,
            "customers": self.customers,
            "phases": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "batch": p.batch,
                    "timed": p.timed,
                    "lines": [attrs.astuple(line) for line in p.lines],
                }
                for p in self.phases
            ],
        }


# -- Tryton --------------------------------------------------------------------------------


def tryton_ready(python: Path) -> str | None:
    """Return why ``python`` cannot run the Tryton side, or ``None`` if it can."""
    if not python.exists():
        return f"{python} does not exist"
    probe = subprocess.run(
        [str(python), "-c", "import trytond.modules.stock"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode:
        return f"{python} cannot import trytond.modules.stock"
    return None


def venv_command(python: Path) -> str:
    """The shell command that makes a Tryton interpreter at ``python`` (``.../bin/python``)."""
    venv = shlex.quote(str(python.parent.parent))
    return f"python3 -m venv {venv} && {venv}/bin/pip install trytond trytond_stock"


def run_tryton(python: Path, plan: Plan, workdir: Path) -> dict[str, Any]:
    """Run the plan in Tryton's interpreter and return its result."""
    plan_file, result_file = workdir / "plan.json", workdir / "tryton.json"
    plan_file.write_text(json.dumps(plan.as_json(str(workdir))), encoding="utf-8")
    subprocess.run(
        [str(python), str(WORKER), str(plan_file), str(result_file)],
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    return result


# -- stockline -----------------------------------------------------------------------------


def draft(kind: str, line: Line) -> sl.NewTransaction:
    """``line`` as the transaction ``inv.receive`` or ``inv.ship`` posts for it."""
    if kind == "receipt":
        tx_kind, order = sl.TxKind.RECEIPT, "PO"
        src, dst = sl.Position(location=f"suppliers/{line.party}"), sl.Position(location=STORAGE)
    else:
        tx_kind, order = sl.TxKind.SHIPMENT, "SO"
        src, dst = sl.Position(location=STORAGE), sl.Position(location=f"customers/{line.party}")
    movement = sl.Movement(item=line.sku, quantity=Decimal(line.quantity), src=src, dst=dst)
    return sl.NewTransaction(
        kind=tx_kind,
        movements=(movement,),
        refs=(Reference(type=order, number=line.ref),),
        counterparty=line.party,
    )


def post_one(inv: sl.Inventory, kind: str, line: Line) -> None:
    """Post ``line`` with the facade's call for it (one database transaction)."""
    if kind == "receipt":
        inv.receive(line.sku, line.quantity, dst=STORAGE, supplier=line.party, ref=line.ref)
    else:
        inv.ship(line.sku, line.quantity, src=STORAGE, customer=line.party, ref=line.ref)


def run_stockline(plan: Plan, workdir: Path, synchronous: str) -> dict[str, Any]:
    """Post the plan on a fresh SQLite file and return the timings."""
    progress = Progress(f"stockline synchronous={synchronous}")
    path = workdir / f"stockline-{synchronous.lower()}.db"
    # FULL is the default: the same store as Inventory.open(f"sqlite:///{path}").
    store = SqlAlchemyStockStore.open(f"sqlite:///{path}", sqlite_synchronous=synchronous)
    counter = StatementCounter(store.engine)
    inv = sl.Inventory(store=store)
    began = time.perf_counter()
    for sku in plan.items:
        inv.add_item(sku, description=f"item {sku}")
    inv.add_location(STORAGE)
    for code in plan.suppliers:
        inv.add_party(code, kind="supplier")
    for code in plan.customers:
        inv.add_party(code, kind="customer")
    setup = time.perf_counter() - began
    progress(f"{len(plan.items)} items and parties in {setup:.1f}s")
    phases, statements = [], {}
    for phase in plan.phases:
        watch = Stopwatch()
        if not phase.timed:  # the warm-up: statements are counted, not timed
            with counter.counting() as sent:
                for line in phase.lines:
                    post_one(inv, phase.kind, line)
            statements[phase.kind] = sent[0] / len(phase.lines)
        elif phase.batch == 1:
            for line in phase.lines:
                with watch.timing():
                    post_one(inv, phase.kind, line)
        else:
            for start in range(0, len(phase.lines), phase.batch):
                drafts = [
                    draft(phase.kind, line) for line in phase.lines[start : start + phase.batch]
                ]
                with watch.timing():
                    inv.post_many(drafts)
        result = {
            "name": phase.name,
            "kind": phase.kind,
            "documents": len(phase.lines),
            "batch": phase.batch,
            "seconds": watch.seconds,
            "cpu_seconds": watch.cpu_seconds,
            "per_second": watch.rate(len(phase.lines)),
        }
        if phase.timed:
            progress(f"{phase.name}: {result['per_second']:,.1f}/s")
            phases.append(result)
        else:
            progress(f"{phase.name}: {statements[phase.kind]:.1f} statements per document")
    on_hand = {sku: int(inv.on_hand(sku, location=STORAGE)) for sku in plan.items}
    inv.close()
    return {
        "synchronous": synchronous,
        "journal_mode": "wal",
        "setup_seconds": setup,
        "phases": phases,
        "statements_per_document": statements,
        "stock_checked": on_hand == {sku: plan.stock.get(sku, 0) for sku in plan.items},
        "database_bytes": sum(
            f.stat().st_size for f in workdir.iterdir() if f.name.startswith(path.name)
        ),
    }


# -- the report ----------------------------------------------------------------------------


def rate(side: dict[str, Any], kind: str, batched: bool) -> float:
    """Documents per second of ``side``'s timed phase of ``kind``, one or many per
    transaction."""
    for phase in side["phases"]:
        if phase["kind"] == kind and (phase["batch"] > 1) == batched:
            return float(phase["per_second"])
    raise LookupError(f"no {kind} phase (batched={batched})")


def cpu_rate(side: dict[str, Any], kind: str, batched: bool) -> float:
    """Documents per CPU second of the same phase (steadier on a busy machine)."""
    for phase in side["phases"]:
        if phase["kind"] == kind and (phase["batch"] > 1) == batched:
            cpu = float(phase["cpu_seconds"])
            return phase["documents"] / cpu if cpu else 0.0
    raise LookupError(f"no {kind} phase (batched={batched})")


def ratios(
    tryton: dict[str, Any],
    stockline: dict[str, Any],
    measure: Callable[[dict[str, Any], str, bool], float] = rate,
) -> dict[str, float]:
    """stockline over Tryton: single against single, and batched against Tryton's best;
    by wall clock, or by ``measure`` (:func:`cpu_rate`)."""
    found = {}
    for kind in ("receipt", "shipment"):
        best = max(measure(tryton, kind, False), measure(tryton, kind, True))
        found[f"{kind}s_single_over_single"] = measure(stockline, kind, False) / measure(
            tryton, kind, False
        )
        found[f"{kind}s_batched_over_tryton_best"] = measure(stockline, kind, True) / best
    return found


def report(result: dict[str, Any]) -> None:
    """Print the rates (wall clock, then per CPU second) and the ratios."""
    tryton = result["tryton"]
    sides = [(f"Tryton {tryton['versions']['trytond']}, synchronous=NORMAL", tryton)]
    sides += [(f"stockline, synchronous={s['synchronous']}", s) for s in result["stockline"]]
    batch = result["parameters"]["batch"]
    columns = [
        "side (SQLite file, WAL)",
        "receipts/s, 1 per tx",
        "shipments/s, 1 per tx",
        f"receipts/s, {batch:,} per tx",
        f"shipments/s, {batch:,} per tx",
    ]
    load = (
        f"Load average {result['load_average_before']:.1f} before, "
        f"{result['load_average_after']:.1f} after, on {os.cpu_count()} CPUs: a shared, "
        "busy machine. Both sides' final stock was checked against the plan."
    )
    for title, measure, caption in (
        ("Documents per second (wall clock)", rate, load),
        ("Documents per second of the process's CPU time (no disk waits)", cpu_rate, ""),
    ):
        rows = [
            [
                name,
                *(
                    f"{measure(side, kind, batched):,.1f}"
                    for batched in (False, True)
                    for kind in ("receipt", "shipment")
                ),
            ]
            for name, side in sides
        ]
        print_table(title, columns, rows, caption=caption)
    counted = [
        (name, side["statements_per_document"])
        for name, side in sides
        if side.get("statements_per_document")
    ]
    if counted:
        print_table(
            "SQL statements per document (the warm-up's, one per transaction; "
            "BEGIN and COMMIT not counted)",
            ["side", "receipt", "shipment"],
            [
                [name, *(f"{found.get(kind, 0):,.1f}" for kind in ("receipt", "shipment"))]
                for name, found in counted
            ],
        )
    for title, measure in (("wall clock", rate), ("CPU time", cpu_rate)):
        print_table(
            f"stockline over Tryton ({title})",
            [
                "stockline",
                "receipts, 1 / 1",
                "receipts, batched / Tryton's best",
                "shipments, 1 / 1",
                "shipments, batched / Tryton's best",
            ],
            [
                [
                    f"synchronous={s['synchronous']}",
                    *(f"{v:,.0f}×" for v in ratios(tryton, s, measure).values()),
                ]
                for s in result["stockline"]
            ],
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Run both sides and write the result."""
    parser = argparse.ArgumentParser(prog="python -m bench.erp", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--tryton-python",
        type=Path,
        default=Path(os.environ.get("TRYTON_PYTHON", DEFAULT_TRYTON)),
        help="the interpreter of a virtual environment with trytond and trytond_stock "
        f"(default: $TRYTON_PYTHON or {DEFAULT_TRYTON})",
    )
    parser.add_argument(
        "--singles", type=int, default=300, help="documents of each kind posted one per transaction"
    )
    parser.add_argument("--batch", type=int, default=1000, help="documents per batched transaction")
    parser.add_argument("--batches", type=int, default=3, help="batched transactions of each kind")
    parser.add_argument("--quick", action="store_true", help="50 singles, 2 batches of 200")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, help="where to write the result")
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    parser.add_argument(
        "--report", type=Path, help="print the tables of a result file again, and stop"
    )
    args = parser.parse_args(argv)
    _common.MARKDOWN = args.markdown
    if args.report:
        report(json.loads(args.report.read_text(encoding="utf-8")))
        return
    if args.quick:
        args.singles, args.batch, args.batches = 50, 200, 2
    python: Path = args.tryton_python
    missing = tryton_ready(python)
    if missing:
        print(f"Tryton is not installed for this benchmark: {missing}. Make it with:\n")
        print(f"    {venv_command(python)}\n")
        print(f"then run: {sys.executable} -m bench.erp --tryton-python {shlex.quote(str(python))}")
        return
    plan = Plan(args.seed, args.singles, args.batch, args.batches)
    command = shlex.join(
        ["python", "-m", "bench.erp", *(argv if argv is not None else sys.argv[1:])]
    )
    result: dict[str, Any] = {
        "benchmark": "erp",
        "command": command,
        "parameters": {
            "seed": args.seed,
            "items": ITEMS,
            "singles": args.singles,
            "batch": args.batch,
            "batches": args.batches,
            "warmup": WARMUP,
            "lines_per_document": 1,
        },
        "environment": environment(),
        "load_average_before": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="bench-erp-") as folder:
        workdir = Path(folder)
        tryton = run_tryton(python, plan, workdir)
        expected = {sku: quantity for sku, quantity in plan.stock.items() if quantity}
        tryton["stock_checked"] = {k: int(v) for k, v in tryton.pop("on_hand").items()} == expected
        result["tryton"] = tryton
        result["stockline"] = []
        for synchronous in SYNCHRONOUS:
            side = run_stockline(plan, workdir, synchronous)
            side["ratios"] = ratios(tryton, side)
            side["cpu_ratios"] = ratios(tryton, side, cpu_rate)
            result["stockline"].append(side)
    result["load_average_after"] = os.getloadavg()[0]
    report(result)
    unchecked = [
        name
        for name, checked in [("Tryton", tryton["stock_checked"])]
        + [(f"stockline {s['synchronous']}", s["stock_checked"]) for s in result["stockline"]]
        if not checked
    ]
    if unchecked:
        print(f"stock differs from the plan: {', '.join(unchecked)}", file=sys.stderr)
    out = args.json or RESULTS / ("erp-quick.json" if args.quick else "erp.json")
    write_json(out, result)
    print(f"written to {out}")
    if unchecked:
        sys.exit(1)


if __name__ == "__main__":
    main()
