"""The Tryton side of :mod:`bench.erp`, run in Tryton's own interpreter (not stockline's).

``bench.erp`` writes a plan (JSON: the products, parties and the documents of each phase)
and runs ``<tryton-python> bench/_tryton_worker.py PLAN RESULT``; this script builds a fresh
SQLite database with the ``stock`` module activated (as ``trytond-admin -u stock
--activate-dependencies`` would, outside Tryton's test mode), a company, the default
warehouse (input, storage and output locations), the products, suppliers and customers,
then posts the documents phase by phase and writes what it timed to RESULT (JSON).

Per document, in one database transaction (one commit), as a Tryton server does for one
request:

* a receipt: a ``stock.shipment.in`` with one incoming move (supplier → warehouse input) is
  created, ``receive``-d (the incoming move is done and an inventory move input → storage
  is made) and ``do``-ne (the inventory move is done);
* a shipment: a ``stock.shipment.out`` with one outgoing move (output → customer) is created,
  set ``wait``-ing (an inventory move storage → output is made), ``assign_try``-ed (Tryton's
  availability check: the move is assigned only if the storage holds enough), then
  ``pick``-ed, ``pack``-ed and ``do``-ne. A shipment that fails the check is an error: the
  plan only ships stock that is there.

A batched phase does the same for a whole batch of documents with one call of each class
method (``create``, ``receive``, ``do``, ... on the list), in one transaction.

Progress goes to stderr. Only the standard library and Tryton are imported.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

#: Tryton's distributions whose versions the result records.
DISTRIBUTIONS = (
    "trytond",
    "trytond_stock",
    "trytond_product",
    "trytond_company",
    "trytond_party",
    "trytond_currency",
    "python-sql",
)
DATABASE = "bench"
#: Tryton's sqlite backend opens every connection with these pragmas (not configurable).
PRAGMAS = ("journal_mode", "synchronous")

#: Statements the SQL statement count leaves out (SQLAlchemy's count does not see them).
_NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")

_started = time.perf_counter()


def progress(message: str) -> None:
    """One progress line on stderr."""
    elapsed = time.perf_counter() - _started
    print(f"[{elapsed:7.1f}s] tryton: {message}", file=sys.stderr, flush=True)


def configure(workdir: Path) -> None:
    """Point Tryton at a fresh SQLite file in ``workdir`` (``sqlite://``, one file per
    database, as a production server on SQLite is set up)."""
    from trytond import config

    config.update_etc(None)
    config.set("database", "uri", "sqlite://")
    config.set("database", "path", str(workdir))


def create_database() -> float:
    """Create the database and activate ``stock`` with its dependencies; return seconds."""
    from trytond import __series__, backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    started = time.perf_counter()
    Pool.start()
    backend.Database.create(None, DATABASE)  # an empty file (the connection is not used)
    database = backend.Database(DATABASE)
    database.connect()
    database.init()
    pool = Pool(DATABASE)
    pool.init(update=["res", "ir"], lang=["en"])
    with Transaction().start(DATABASE, 0):
        module = pool.get("ir.module")
        module.update_list()
    pool.init(update=["stock"], lang=["en"], activatedeps=True)

    def administrator() -> None:
        # What trytond-admin does for a new database: its series, and the administrator.
        configuration = pool.get("ir.configuration")(1)
        configuration.series = __series__
        configuration.language = "en"
        configuration.save()
        pool.get("res.user").create([{"login": "admin", "name": "Admin", "administrator": True}])

    in_transaction(administrator, 0, {}, {})
    return time.perf_counter() - started


#: How often a transaction was run again because Tryton asked for a table or records to be
#: locked from its start (``TransactionError``).
RETRIES = [0]


def in_transaction(
    work: Callable[[], None], user: int, context: dict[str, Any], locks: dict[str, Any]
) -> None:
    """Run ``work`` in one transaction and commit it, as Tryton's dispatcher runs a request.

    When Tryton raises ``TransactionError`` (it wants a table locked from the start, as
    ``assign_try`` does with ``stock_move``), roll back, add the lock to ``locks`` and run it
    again. The dispatcher starts every request without locks, so its first try of each
    ``assign_try`` request is lost; here ``locks`` is kept from one document to the next of a
    kind, so only the first document pays for the lost try (the kinder reading for Tryton).
    """
    from trytond.transaction import Transaction, TransactionError

    while True:
        with Transaction().start(DATABASE, user, context=context, **locks) as transaction:
            try:
                work()
            except TransactionError as error:
                transaction.rollback()
                error.fix(locks)
                RETRIES[0] += 1
                continue
            transaction.commit()
            return


class Tryton:
    """The database's master data and the two document flows."""

    def __init__(self, plan: dict[str, Any]) -> None:
        from trytond.pool import Pool
        from trytond.transaction import Transaction

        self.pool = Pool(DATABASE)
        self.transaction = Transaction
        user_model = self.pool.get("res.user")

        def company() -> None:
            (admin,) = user_model.search([("login", "=", "admin")])
            self.user = admin.id
            company = self._company()
            user_model.write([admin], {"companies": [("add", [company])], "company": company})

        in_transaction(company, 0, {}, {})
        with Transaction().start(DATABASE, self.user):
            self.context = dict(user_model.get_preferences(context_only=True))
        #: The locks each kind of document turned out to need, kept between documents.
        self.locks: dict[str, dict[str, Any]] = {"setup": {}, "receipt": {}, "shipment": {}}
        self.run(lambda: self._master_data(plan), "setup")

    def start(self) -> Any:
        """A new transaction as the administrator, with the company in its context."""
        return self.transaction().start(DATABASE, self.user, context=self.context)

    def run(self, work: Callable[[], None], kind: str) -> None:
        """Run ``work`` (a document of ``kind``) in one committed transaction as the
        administrator."""
        in_transaction(work, self.user, self.context, self.locks[kind])

    def _company(self) -> int:
        currency_model = self.pool.get("currency.currency")
        rate_model = self.pool.get("currency.currency.rate")
        party_model = self.pool.get("party.party")
        company_model = self.pool.get("company.company")
        (currency,) = currency_model.create([{"name": "US Dollar", "code": "USD", "symbol": "$"}])
        rate_model.create([{"currency": currency.id, "rate": 1, "date": dt.date.min}])
        (party,) = party_model.create([{"name": "DC1", "addresses": [("create", [{}])]}])
        (company,) = company_model.create([{"party": party.id, "currency": currency.id}])
        self.currency = currency.id
        return int(company.id)

    def _master_data(self, plan: dict[str, Any]) -> None:
        pool = self.pool
        location_model = pool.get("stock.location")
        (unit,) = pool.get("product.uom").search([("name", "=", "Unit")])
        (warehouse,) = location_model.search([("code", "=", "WH")])
        self.unit = unit.id
        self.warehouse = warehouse.id
        self.input = warehouse.input_location.id
        self.storage = warehouse.storage_location.id
        self.output = warehouse.output_location.id
        template_model = pool.get("product.template")
        templates = []
        items = plan["items"]
        # In small creates: one of thousands makes SQLite's parser overflow on the
        # validation query of the product codes.
        for start in range(0, len(items), 20):
            templates += template_model.create(
                [
                    {
                        "name": f"item {sku}",
                        "code": sku,
                        "type": "goods",
                        "default_uom": unit.id,
                        "list_price": Decimal(20),
                        "products": [("create", [{}])],
                    }
                    for sku in items[start : start + 20]
                ]
            )
        self.products = {t.code: t.products[0].id for t in templates}
        party_model = pool.get("party.party")
        suppliers = party_model.create([{"name": code, "code": code} for code in plan["suppliers"]])
        self.suppliers = {p.code: (p.id, p.supplier_location.id) for p in suppliers}
        customers = party_model.create(
            [
                {"name": code, "code": code, "addresses": [("create", [{}])]}
                for code in plan["customers"]
            ]
        )
        self.customers = {
            p.code: (p.id, p.addresses[0].id, p.customer_location.id) for p in customers
        }

    # -- the documents ---------------------------------------------------------------------

    def receive(self, lines: Sequence[Sequence[Any]]) -> None:
        """Receive one ``stock.shipment.in`` per line (sku, quantity, supplier, ref), in the
        current transaction."""
        shipment_model = self.pool.get("stock.shipment.in")
        values = []
        for sku, quantity, supplier, ref in lines:
            party, supplier_location = self.suppliers[supplier]
            move = {
                "product": self.products[sku],
                "unit": self.unit,
                "quantity": float(quantity),
                "from_location": supplier_location,
                "to_location": self.input,
                "unit_price": Decimal(5),
                "currency": self.currency,
            }
            values.append(
                {
                    "supplier": party,
                    "reference": ref,
                    "warehouse": self.warehouse,
                    "warehouse_input": self.input,
                    "warehouse_storage": self.storage,
                    "moves": [("create", [move])],
                }
            )
        shipments = shipment_model.create(values)
        shipment_model.receive(shipments)
        shipment_model.do(shipments)
        wrong = [s.number for s in shipment_model.browse(shipments) if s.state != "done"]
        if wrong:
            raise RuntimeError(f"receipts not done: {wrong[:5]}")

    def ship(self, lines: Sequence[Sequence[Any]]) -> None:
        """Ship one ``stock.shipment.out`` per line (sku, quantity, customer, ref), checking
        availability with ``assign_try``, in the current transaction."""
        shipment_model = self.pool.get("stock.shipment.out")
        values = []
        for sku, quantity, customer, ref in lines:
            party, address, customer_location = self.customers[customer]
            move = {
                "product": self.products[sku],
                "unit": self.unit,
                "quantity": float(quantity),
                "from_location": self.output,
                "to_location": customer_location,
                "unit_price": Decimal(20),
                "currency": self.currency,
            }
            values.append(
                {
                    "customer": party,
                    "delivery_address": address,
                    "reference": ref,
                    "warehouse": self.warehouse,
                    "warehouse_storage": self.storage,
                    "warehouse_output": self.output,
                    "moves": [("create", [move])],
                }
            )
        shipments = shipment_model.create(values)
        shipment_model.wait(shipments)
        shipment_model.assign_try(shipments)
        shipments = shipment_model.browse(shipments)
        short = [s.reference for s in shipments if s.state != "assigned"]
        if short:
            raise RuntimeError(f"availability check refused {len(short)}: {short[:5]}")
        shipment_model.pick(shipments)
        shipment_model.pack(shipments)
        shipment_model.do(shipments)
        wrong = [s.reference for s in shipment_model.browse(shipments) if s.state != "done"]
        if wrong:
            raise RuntimeError(f"shipments not done: {wrong[:5]}")

    def on_hand(self) -> dict[str, float]:
        """The storage location's quantity per sku (to check against the plan)."""
        product_model = self.pool.get("product.product")
        with self.start():
            quantities = product_model.products_by_location(
                [self.storage], with_childs=True, grouping_filter=(list(self.products.values()),)
            )
        by_id = {product: sku for sku, product in self.products.items()}
        return {
            by_id[product]: quantity
            for (_, product), quantity in quantities.items()
            if quantity and product in by_id
        }

    def pragmas(self) -> dict[str, str]:
        """What SQLite runs with on Tryton's connection."""
        with self.start() as transaction:
            cursor = transaction.connection.cursor()
            found = {}
            for pragma in PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
                found[pragma] = str(cursor.fetchone()[0])
        return found


def run_phase(tryton: Tryton, phase: dict[str, Any]) -> dict[str, Any]:
    """Post a phase's documents, ``batch`` per transaction, and time it."""
    post: Callable[[Sequence[Sequence[Any]]], None] = (
        tryton.receive if phase["kind"] == "receipt" else tryton.ship
    )
    lines = phase["lines"]
    batch = phase["batch"]
    seconds = cpu = 0.0
    retries = RETRIES[0]
    counted = [0]
    counting = not phase.get("timed", True)

    def count(statement: str) -> None:
        if not statement.lstrip().upper().startswith(_NOT_COUNTED):
            counted[0] += 1

    def work(chunk: Sequence[Sequence[Any]]) -> None:
        connection = tryton.transaction().connection
        if counting:  # only untimed phases: a trace callback costs time
            counted[0] = 0  # a try rolled back for its locks does not count
            connection.set_trace_callback(count)
        try:
            post(chunk)
        finally:
            connection.set_trace_callback(None)

    statements = 0
    for start in range(0, len(lines), batch):
        chunk = lines[start : start + batch]
        began, cpu_began = time.perf_counter(), time.process_time()
        tryton.run(lambda: work(chunk), phase["kind"])  # noqa: B023 (run before the loop goes on)
        seconds += time.perf_counter() - began
        cpu += time.process_time() - cpu_began
        statements += counted[0]
    return {
        "name": phase["name"],
        "kind": phase["kind"],
        "documents": len(lines),
        "batch": batch,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "per_second": len(lines) / seconds if seconds else 0.0,
        "retries": RETRIES[0] - retries,
        "statements_per_document": statements / len(lines) if counting else None,
    }


def versions() -> dict[str, str | None]:
    """The installed Tryton distributions."""
    found: dict[str, str | None] = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def main(argv: Sequence[str]) -> int:
    """Run the plan in ``argv[0]`` and write the result to ``argv[1]``."""
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="tryton-", dir=plan.get("workdir")) as workdir:
        configure(Path(workdir))
        created = create_database()
        progress(f"database created, stock activated in {created:.1f}s")
        began = time.perf_counter()
        tryton = Tryton(plan)
        setup = time.perf_counter() - began
        progress(f"company, {len(plan['items'])} products and parties in {setup:.1f}s")
        phases, statements = [], {}
        for phase in plan["phases"]:
            result = run_phase(tryton, phase)
            progress(
                f"{phase['name']}: {result['documents']:,} documents, batch {result['batch']},"
                f" {result['per_second']:,.1f}/s"
            )
            if phase.get("timed", True):
                phases.append(result)
            else:
                statements[phase["kind"]] = result["statements_per_document"]
        on_hand = tryton.on_hand()
        result = {
            "versions": versions(),
            "python": sys.version.split()[0],
            "sqlite": __import__("sqlite3").sqlite_version,
            "pragmas": tryton.pragmas(),
            "create_seconds": created,
            "setup_seconds": setup,
            "phases": phases,
            "statements_per_document": statements,
            "on_hand": on_hand,
            "database_bytes": sum(
                f.stat().st_size for f in Path(workdir).iterdir() if f.name.startswith(DATABASE)
            ),
            "pid": os.getpid(),
        }
    Path(argv[1]).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
