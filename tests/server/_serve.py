"""The EPCIS app over a database, as the live tests run it: ``python -m tests.server._serve
<database URL> <port>`` serves it with uvicorn on 127.0.0.1 until terminated."""

from __future__ import annotations

import sys

import uvicorn

import stockline as sl
from stockline.adapters import SqlAlchemyStockStore
from stockline.server import Limits, Partner, create_app

#: The bearer tokens the live app knows.
TOKENS = {
    "erp-token": Partner(name="erp", party=None),
    "shop-token": Partner(name="shop", party="SHOP"),
    "cafe-token": Partner(name="cafe", party="CAFE"),
    "farm-token": Partner(name="farm", party="FARM"),
    "auditor-token": Partner(name="auditor", party="SHOP", capture=False),
}
#: Small limits, so that the tests reach them: a page request reads at most 12 transactions.
LIMITS = Limits(max_document_bytes=60_000, default_page_size=10, max_page_size=50, max_scan=12)


def main(url: str, port: int) -> None:
    """Serve the app over the store at ``url`` on ``port``."""
    inventory = sl.Inventory(store=SqlAlchemyStockStore.open(url, migrate=False))
    app = create_app(inventory, authenticate=TOKENS.get, limits=LIMITS)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
