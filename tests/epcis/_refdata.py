"""Where the EPCIS reference data is (read at test time, never copied into the repository)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REFDATA = Path(__file__).parents[2].parent / "shared" / "research" / "refdata" / "epcis"
SCHEMA = REFDATA / "schema" / "epcis-json-schema.json"
EXAMPLES = REFDATA / "examples"


def examples(kind: str) -> list[Any]:
    """The example files of ``kind`` (``valid`` or ``invalid``) as pytest params, or one
    skipped param when the reference data is absent."""
    found = sorted((EXAMPLES / kind).glob("*.json*")) if EXAMPLES.exists() else []
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no refdata at {EXAMPLES}"))]
    return [pytest.param(path, id=path.name) for path in found]


def schema_validator() -> Any:
    """jsonschema's Draft 7 validator of the official schema, with format checking."""
    if not SCHEMA.exists():
        pytest.skip(f"the EPCIS JSON schema is not at {SCHEMA} (../shared/research/refdata)")
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("rfc3987", reason="format checking of 'uri' needs jsonschema[format]")
    pytest.importorskip("rfc3339_validator", reason="'date-time' needs jsonschema[format]")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
