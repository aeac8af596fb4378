"""The EPCIS event hash ID against the published vectors of the GS1 reference implementation."""

from __future__ import annotations

import copy

import pytest

from stockline.epcis import event_hash_id, prehash
from stockline.errors import ValidationError
from tests.epcis import _hash_vectors as vectors


class TestEventHashId:
    @pytest.mark.parametrize(
        ("event", "expected"),
        vectors.VECTORS,
        ids=[f"{i}-{e['type']}" for i, (e, _) in enumerate(vectors.VECTORS)],
    )
    def test_matches_the_reference_vectors(self, event: dict[str, object], expected: str) -> None:
        """Each event hashes to the ID the reference implementation publishes for it."""
        assert event_hash_id(event, context=vectors.CONTEXT) == expected

    def test_error_declared_event_matches_reference_pre_hash_and_hash(self) -> None:
        """eventID and errorDeclaration stay out; 452.0 is written 452; times go to UTC ms."""
        event = vectors.ERROR_DECLARED
        assert prehash(event) == vectors.ERROR_DECLARED_PREHASH
        assert event_hash_id(event) == vectors.ERROR_DECLARED_HASH

    def test_field_order_and_list_order_do_not_matter(self) -> None:
        """The same event with its keys and list elements reordered has the same ID."""
        event, expected = vectors.VECTORS[4]
        shuffled = dict(reversed(list(event.items())))
        shuffled["childEPCs"] = list(reversed(event["childEPCs"]))
        assert event_hash_id(shuffled, context=vectors.CONTEXT) == expected

    def test_record_time_and_event_id_do_not_change_the_id(self) -> None:
        """recordTime and eventID are not part of the event's identity."""
        event, expected = copy.deepcopy(vectors.VECTORS[2])
        event["recordTime"] = "2030-01-01T00:00:00Z"
        event["eventID"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
        assert event_hash_id(event, context=vectors.CONTEXT) == expected

    def test_any_business_change_changes_the_id(self) -> None:
        """A different quantity, time, or an added extension field gives another ID."""
        event, expected = copy.deepcopy(vectors.VECTORS[3])
        event["quantityList"][0]["quantity"] = 601
        assert event_hash_id(event, context=vectors.CONTEXT) != expected
        event, _ = copy.deepcopy(vectors.VECTORS[3])
        event["eventTime"] = "2019-10-21T14:58:56.001+02:00"
        assert event_hash_id(event, context=vectors.CONTEXT) != expected
        event, _ = copy.deepcopy(vectors.VECTORS[3])
        event["example:note"] = "x"
        assert event_hash_id(event, context=vectors.CONTEXT) != expected

    def test_epc_uri_and_digital_link_forms_hash_alike(self) -> None:
        """An event written with GS1 Digital Link URIs has the ID of its EPC URI twin."""
        event, expected = copy.deepcopy(vectors.VECTORS[2])
        event["epcList"] = ["https://example.com/00/040123451111111110?x=1"]
        event["readPoint"] = {"id": "https://id.gs1.org/414/4012345000245"}
        assert event_hash_id(event, context=vectors.CONTEXT) == expected

    def test_other_algorithms_name_themselves(self) -> None:
        """sha-512 gives an ni URI naming sha-512 with a 128-hex-digit digest."""
        event, _ = vectors.VECTORS[0]
        found = event_hash_id(event, context=vectors.CONTEXT, algorithm="sha-512")
        assert found.startswith("ni:///sha-512;")
        assert found.endswith("?ver=CBV2.0")
        assert len(found.split(";")[1].split("?")[0]) == 128

    def test_refuses_what_it_cannot_hash(self) -> None:
        """No type or eventTime, sensor data, or an unknown algorithm raise ValidationError."""
        event, _ = vectors.VECTORS[0]
        with pytest.raises(ValidationError, match="'type' and an 'eventTime'"):
            event_hash_id({"type": "ObjectEvent"})
        with pytest.raises(ValidationError, match="sensorElementList"):
            event_hash_id({**event, "sensorElementList": []})
        with pytest.raises(ValidationError, match="sha-256"):
            event_hash_id(event, algorithm="md5")
