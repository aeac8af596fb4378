"""Scans parsed per second by ``stockline.gs1.parse`` on a mix of real-looking inputs.

Run with ``python bench/gs1.py``. Prints one row per input kind and a total; it is a
measurement, not a test.
"""

from __future__ import annotations

import datetime as dt
import time

from stockline.gs1 import build_elements, parse, sscc, to_digital_link, to_element_string, to_hri

TODAY = dt.date(2026, 1, 1)
ROUNDS = 2000


def _inputs() -> dict[str, list[str]]:
    gtins = ["09506000134352", "00614141123452", "05901234123457", "00012345678905"]
    kinds: dict[str, list[str]] = {"element string + GS": [], "HRI": [], "Digital Link": []}
    for number, gtin in enumerate(gtins):
        elements = build_elements(
            gtin=gtin,
            lot=f"L{number}-2026",
            serial=f"SN{number:08d}",
            expiry=dt.date(2027, 3, 31),
            today=TODAY,
        )
        kinds["element string + GS"].append(to_element_string(elements, prefix="]d2"))
        kinds["HRI"].append(to_hri(elements))
        kinds["Digital Link"].append(to_digital_link(elements))
    kinds["plain GTIN"] = ["9506000134352", "614141123452", "96385074", "00012345678905"]
    kinds["SSCC label"] = [
        f"]C100{sscc('0614141', f'{n:09d}', 1)}02{gtins[0]}37{n + 1}" for n in range(4)
    ]
    return kinds


def main() -> None:
    """Parse each kind ROUNDS times and print scans per second."""
    rows: list[tuple[str, int, float]] = []
    for kind, texts in _inputs().items():
        for text in texts:  # fail fast on a bad input rather than time an exception path
            parse(text, today=TODAY)
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for text in texts:
                parse(text, today=TODAY)
        rows.append((kind, ROUNDS * len(texts), time.perf_counter() - start))
    print(f"{'input':<22}{'scans':>8}{'seconds':>10}{'scans/s':>12}")
    for kind, count, seconds in rows:
        print(f"{kind:<22}{count:>8}{seconds:>10.3f}{count / seconds:>12,.0f}")
    total = sum(r[1] for r in rows)
    elapsed = sum(r[2] for r in rows)
    print(f"{'all':<22}{total:>8}{elapsed:>10.3f}{total / elapsed:>12,.0f}")


if __name__ == "__main__":
    main()
