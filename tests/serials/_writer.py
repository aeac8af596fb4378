"""One writer on a shared ledger: issues serials, produces serialised units and allocates
SSCCs, then prints what it got as JSON. Run as a script by the concurrency tests."""

from __future__ import annotations

import json
import sys

import stockline as sl


def work(url: str, rounds: int) -> dict[str, list[str]]:
    """Take serials and SSCCs ``rounds`` times through a store of its own."""
    serials: list[str] = []
    ssccs: list[str] = []
    with sl.Inventory.open(url) as inv:
        for _ in range(rounds):
            serials += inv.serials.issue("VIAL", 25).serials
            serials += inv.serials.produce("VIAL", 5, location="PLANT/FG").serials
            ssccs += inv.serials.sscc.allocate("0614141", 3, extension=2).ssccs
    return {"serials": serials, "ssccs": ssccs}


if __name__ == "__main__":
    # Say when ready and wait for the word, so that every writer works at the same time.
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(work(sys.argv[1], int(sys.argv[2]))))
