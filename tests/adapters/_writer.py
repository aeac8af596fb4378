"""A writer process for the concurrency and crash tests (run as a script, not collected).

``_writer.py ship URL WORKER COUNT``: post COUNT two-line shipments from DC1/A/01 and
DC1/A/02 (in an order that depends on the worker), printing one JSON line with the keys of
those that posted and the number refused for want of stock.

``_writer.py batch URL SIZE``: post batches of SIZE three-line receipts with ``post_many``,
forever, printing ``writing`` when a batch's rows start going to the database and
``committed N`` after each commit, so that the test can kill it mid-batch.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import stockline as sl
from stockline import errors
from stockline.ledger import Movement, NewTransaction, Position, TxKind

SHELVES = ("DC1/A/01", "DC1/A/02")
BINS = ("DC1/A/01", "DC1/A/02", "DC1/B/01")


def ship(url: str, worker: int, count: int) -> None:
    inv = sl.Inventory.open(url, max_attempts=50)
    shelves = SHELVES if worker % 2 else SHELVES[::-1]
    posted: list[str] = []
    refused = 0
    for n in range(count):
        key = f"w{worker}-{n}"
        draft = NewTransaction(
            kind=TxKind.SHIPMENT,
            counterparty="C1",
            key=key,
            movements=tuple(
                Movement(
                    item="BOLT",
                    quantity=Decimal(3 if shelf == "DC1/A/01" else 2),
                    src=Position(location=shelf),
                    dst=Position(location="customers/C1"),
                )
                for shelf in shelves
            ),
        )
        try:
            inv.post(draft)
            posted.append(key)
        except errors.InsufficientStockError:
            refused += 1
    inv.close()
    print(json.dumps({"posted": posted, "refused": refused}), flush=True)


def batch(url: str, size: int) -> None:
    inv = sl.Inventory.open(url)
    store: Any = inv.store
    engine: sa.Engine = store.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _writing(*args: Any) -> None:
        if "INSERT INTO sl_transactions" in args[2]:
            print("writing", flush=True)

    done = 0
    while True:
        drafts = [
            NewTransaction(
                kind=TxKind.RECEIPT,
                counterparty="ACME",
                movements=tuple(
                    Movement(
                        item="BOLT",
                        quantity=Decimal(1),
                        src=Position(location="suppliers/ACME"),
                        dst=Position(location=shelf),
                    )
                    for shelf in BINS
                ),
            )
            for _ in range(size)
        ]
        inv.post_many(drafts)
        done += 1
        print(f"committed {done}", flush=True)


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["ship", url, worker, count]:
            ship(url, int(worker), int(count))
        case ["batch", url, size]:
            batch(url, int(size))
        case _:
            raise SystemExit(__doc__)
