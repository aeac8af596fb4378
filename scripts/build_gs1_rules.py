"""Derive ``src/stockline/gs1/_ai_rules.json`` from the GS1 Barcode Syntax Dictionary.

Usage::

    python scripts/build_gs1_rules.py [path/to/gs1-syntax-dictionary.txt]

The dictionary (Apache-2.0, maintained by GS1 AISBL) is read from the shared research folder
beside the repository checkout unless a path is given. Only the facts stockline checks are
kept: per AI its components (type, length, optional, linters), whether it needs an FNC1
separator, whether it may be a Digital Link query attribute, its ``req=``/``ex=`` rules and
its Digital Link qualifier sequences. The dictionary itself is not copied into the package.
Run again whenever a new dictionary release is dropped into the shared folder.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared/research/refdata/gs1/gs1-syntax-dictionary.txt"
TARGET = REPO / "src/stockline/gs1/_ai_rules.json"

_COMPONENT = re.compile(r"^(\[)?([NXYZ])(\d+)?(?:\.\.(\d+))?(\])?((?:,[a-z0-9]+)*)$")


def _expand(ais: str) -> list[str]:
    """Expand ``3100-3105`` into each AI; a single AI stays as it is."""
    if "-" not in ais:
        return [ais]
    first, last = ais.split("-")
    width = len(first)
    return [str(n).zfill(width) for n in range(int(first), int(last) + 1)]


def _component(token: str) -> dict[str, Any] | None:
    match = _COMPONENT.match(token)
    if match is None:
        return None
    opening, kind, fixed, maximum, closing, linters = match.groups()
    if bool(opening) != bool(closing):
        raise ValueError(f"unbalanced optional component {token!r}")
    if fixed is not None and maximum is None:
        low = high = int(fixed)
    elif maximum is not None:
        low, high = 1, int(maximum)
    else:
        raise ValueError(f"component without length {token!r}")
    return {
        "type": kind,
        "min": low,
        "max": high,
        "optional": bool(opening),
        "linters": [name for name in linters.split(",") if name],
    }


def _parse_line(line: str) -> tuple[list[str], dict[str, Any]]:
    body, _, title = line.partition("#")
    tokens = body.split()
    ais = _expand(tokens.pop(0))
    flags = ""
    if tokens and _component(tokens[0]) is None and "=" not in tokens[0]:
        flags = tokens.pop(0)
    components: list[dict[str, Any]] = []
    while tokens and (component := _component(tokens[0])) is not None:
        components.append(component)
        tokens.pop(0)
    requires: list[list[list[str]]] = []
    excludes: list[str] = []
    dl_qualifiers: list[list[str]] | None = None
    for attribute in tokens:
        key, _, value = attribute.partition("=")
        if key == "req":
            requires.append([alternative.split("+") for alternative in value.split(",")])
        elif key == "ex":
            excludes.extend(value.split(","))
        elif key == "dlpkey":
            dl_qualifiers = [seq.split(",") for seq in value.split("|")] if value else [[]]
        else:
            raise ValueError(f"unknown attribute {attribute!r} in line {line!r}")
    rule = {
        "title": title.strip(),
        "fnc1": "*" not in flags,
        "dl_attribute": "?" in flags,
        "components": components,
        "requires": requires,
        "excludes": excludes,
        "dl_qualifiers": dl_qualifiers,
    }
    return ais, rule


def build(source: Path) -> dict[str, Any]:
    """Read the dictionary text and return the derived rules as a JSON-ready dict."""
    text = source.read_text(encoding="utf-8")
    release = re.search(r"^# Release: (\S+)", text, re.MULTILINE)
    rules: dict[str, Any] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        ais, rule = _parse_line(line)
        for ai in ais:
            rules[ai] = rule
    return {
        "source": "GS1 Barcode Syntax Dictionary (Apache-2.0), via scripts/build_gs1_rules.py",
        "release": release.group(1) if release else None,
        "ais": rules,
    }


def main(argv: list[str]) -> int:
    """Write the derived JSON file and print a one-line summary."""
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    data = build(source)
    TARGET.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data['ais'])} AIs (release {data['release']}) to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
