"""Embed stockline in an ERP's own database transactions (docs/howto/erp.md).

An invoice row and the shipment it ships are committed together or not at all; retries are
made safe by idempotency keys; a refused posting leaves the ERP's transaction usable. Run it
with ``python examples/erp_embedding.py``; it uses a SQLite file in a temporary folder.
"""

# --8<-- [start:setup]
import shutil
import tempfile
from pathlib import Path

import pendulum
import sqlalchemy as sa
from sqlalchemy.orm import Session

import stockline as sl
from stockline.adapters import SqlAlchemyStockStore
from stockline.errors import IdempotencyConflictError, InsufficientStockError

folder = Path(tempfile.mkdtemp())
url = f"sqlite:///{folder / 'erp.db'}"

# At deployment: migrate stockline's tables (all prefixed sl_) next to the ERP's own.
engine = SqlAlchemyStockStore.open(url).engine
erp = sa.MetaData()
invoices = sa.Table(
    "invoices",
    erp,
    sa.Column("number", sa.String, primary_key=True),
    sa.Column("customer", sa.String, nullable=False),
    sa.Column("stock_tx", sa.Integer),  # the stockline transaction that shipped it
)
backorders = sa.Table(
    "backorders",
    erp,
    sa.Column("invoice", sa.String, primary_key=True),
    sa.Column("reason", sa.String, nullable=False),
)
erp.create_all(engine)

clock = sl.FixedClock(pendulum.datetime(2026, 3, 2, 8, tz="UTC"))


def stock(conn: sa.Connection) -> sl.Inventory:
    """An Inventory whose postings run in the caller's transaction on ``conn``."""
    return sl.Inventory(store=SqlAlchemyStockStore.on_connection(conn), clock=clock)


with engine.begin() as conn:
    inv = stock(conn)
    inv.add_item("BOLT-M8")
    inv.add_location("DC1/A/01")
    inv.receive("BOLT-M8", 100, dst="DC1/A/01", supplier="ACME", ref="PO-1", key="po-1/1")
# --8<-- [end:setup]


# --8<-- [start:invoice]
def post_invoice(conn: sa.Connection, number: str, customer: str, quantity: int) -> int:
    """Write the invoice and ship its goods in the caller's transaction; return the tx id."""
    shipment = stock(conn).ship(
        "BOLT-M8",
        quantity,
        src="DC1/A/01",
        customer=customer,
        ref=number,
        key=f"invoice:{number}",  # a retry of this invoice cannot ship twice
    )
    conn.execute(sa.insert(invoices).values(number=number, customer=customer, stock_tx=shipment.id))
    return shipment.id


with engine.begin() as conn:  # commits both, or neither if anything raises
    print("INV-1 shipped by transaction", post_invoice(conn, "INV-1", "GARAGE-4", 30))

with engine.connect() as conn:
    print(
        stock(conn).on_hand("BOLT-M8"),
        conn.scalar(sa.select(sa.func.count()).select_from(invoices)),
    )
# --8<-- [end:invoice]


# --8<-- [start:rollback]
class CreditLimitError(Exception):
    """The ERP's own rule, checked after the goods were posted."""


try:
    with engine.begin() as conn:
        post_invoice(conn, "INV-2", "GARAGE-4", 10)
        raise CreditLimitError("GARAGE-4 is over its credit limit")
except CreditLimitError as e:
    print("ERP refused INV-2:", e)

with engine.connect() as conn:
    inv = stock(conn)
    print(inv.on_hand("BOLT-M8"), [tx.id for tx in inv.changes()])  # INV-2 never shipped
# --8<-- [end:rollback]

# --8<-- [start:refused]
with engine.begin() as conn:
    try:
        post_invoice(conn, "INV-3", "GARAGE-4", 500)
    except InsufficientStockError as e:
        # stockline rolled back to its savepoint: this transaction is still usable.
        print(f"refused: {e.requested} requested, {e.available} available at {e.position}")
        conn.execute(sa.insert(backorders).values(invoice="INV-3", reason="short"))

with engine.connect() as conn:
    print(conn.execute(sa.select(backorders)).all(), stock(conn).on_hand("BOLT-M8"))
# --8<-- [end:refused]

# --8<-- [start:retry]
with engine.begin() as conn:  # the same invoice posted again, e.g. after a lost reply
    inv = stock(conn)
    again = inv.ship(
        "BOLT-M8", 30, src="DC1/A/01", customer="GARAGE-4", ref="INV-1", key="invoice:INV-1"
    )
    print(again.id, inv.on_hand("BOLT-M8"))
    try:
        inv.ship(
            "BOLT-M8", 31, src="DC1/A/01", customer="GARAGE-4", ref="INV-1", key="invoice:INV-1"
        )
    except IdempotencyConflictError as e:
        print(type(e).__name__)
# --8<-- [end:retry]

# --8<-- [start:orm]
with Session(engine) as session, session.begin():
    inv = stock(session.connection())  # the ORM session's connection and transaction
    shipment = inv.ship("BOLT-M8", 5, src="DC1/A/01", customer="GARAGE-9", key="invoice:INV-4")
    session.execute(
        sa.insert(invoices).values(number="INV-4", customer="GARAGE-9", stock_tx=shipment.id)
    )

with sl.Inventory.open(url) as inv:  # any other process sees what was committed
    print(inv.on_hand("BOLT-M8"), inv.verify().ok)
# --8<-- [end:orm]
engine.dispose()
shutil.rmtree(folder)
