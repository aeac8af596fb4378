"""What ``read_epcis`` and ``inv.epcis.expect`` do with a bad ``schema=`` or a document nested
too deeply: a StocklineError, never an exception of Python's or of a library's."""

from __future__ import annotations

import pytest

import stockline as sl
from stockline.epcis import read_epcis
from stockline.errors import EpcisError, ValidationError
from tests.epcis.test_xml12 import SHIPPING, document

JSON = (
    '{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], '
    '"type": "EPCISDocument", "schemaVersion": "2.0", '
    '"creationDate": "2026-03-02T08:00:00Z", "epcisBody": {"eventList": []}}'
)


@pytest.mark.parametrize("schema", [123, b"/tmp", ["a.xsd"], "a\x00b", True])
@pytest.mark.parametrize("text", [document(SHIPPING), JSON], ids=["xml", "json"])
def test_a_schema_of_the_wrong_kind_is_refused(text: str, schema: object) -> None:
    """Not a path nor (for JSON) a parsed schema: a ValidationError naming ``schema``."""
    with pytest.raises(ValidationError, match="schema"):
        read_epcis(text, schema=schema)  # type: ignore[arg-type]


def test_a_schema_path_too_long_for_the_system_is_refused() -> None:
    """A name the file system cannot look up: the XSD cannot be loaded, an EpcisError."""
    with pytest.raises(EpcisError, match="schema cannot be loaded"):
        read_epcis(document(SHIPPING), schema="x" * 5000)


def test_expect_refuses_a_schema_of_the_wrong_kind() -> None:
    inv = sl.Inventory()
    with pytest.raises(ValidationError, match="schema"):
        inv.epcis.expect(JSON, schema=123)  # type: ignore[arg-type]


def test_content_nested_too_deeply_is_refused_not_a_recursion_error() -> None:
    """Lot master data nested past Python's recursion limit: the event is refused."""
    deep = "<x:a xmlns:x='urn:x'>" * 1500 + "v" + "</x:a>" * 1500
    event = SHIPPING.replace(
        "</quantityList></extension>", f"</quantityList><ilmd>{deep}</ilmd></extension>"
    )
    with pytest.raises(EpcisError, match="nested too deeply"):
        read_epcis(document(event))
