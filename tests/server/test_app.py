"""The EPCIS REST app's arguments and query reading, without a server."""

from __future__ import annotations

from typing import Any

import pytest

import stockline as sl
from stockline.epcis import EpcisOptions
from stockline.errors import ValidationError
from stockline.server import Limits, Partner, create_app
from stockline.server._problems import Problem
from stockline.server._query import parse_query
from tests.test_architecture import _run_blocked


class TestPartner:
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"name": "", "party": None},
            {"name": " shop", "party": None},
            {"name": None, "party": None},
            {"name": "shop", "party": ""},
            {"name": "shop", "party": 7},
            {"name": "shop", "party": "SH\x00OP"},
            {"name": "shop", "party": "SHOP", "capture": "yes"},
            {"name": "shop", "party": "SHOP", "capture": 1},
        ],
    )
    def test_bad_fields_are_refused(self, kwargs: dict[str, Any]) -> None:
        """A partner's name and party are identifiers and ``capture`` a bool."""
        with pytest.raises(ValidationError):
            Partner(**kwargs)

    def test_party_must_be_said(self) -> None:
        """Seeing every event is never a default: ``party=None`` is written out."""
        with pytest.raises(TypeError):
            Partner(name="shop")  # type: ignore[call-arg]
        assert Partner(name="erp", party=None).capture is True


class TestLimits:
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"max_document_bytes": 0},
            {"max_page_size": -1},
            {"max_scan": True},
            {"default_page_size": 1.5},
            {"default_page_size": 200, "max_page_size": 100},
            {"max_scan": 2**40},
        ],
    )
    def test_bad_limits_are_refused(self, kwargs: dict[str, Any]) -> None:
        """Limits are whole numbers from 1; the default page is no larger than the largest."""
        with pytest.raises(ValidationError):
            Limits(**kwargs)


class TestCreateApp:
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"inventory": object()},
            {"authenticate": {"t": Partner(name="x", party=None)}},
            {"options": {"identifiers": "epc"}},
            {"limits": {"max_page_size": 5}},
        ],
    )
    def test_bad_arguments_are_refused(self, kwargs: dict[str, Any]) -> None:
        """Each argument is checked when the app is made, not at the first request."""
        arguments: dict[str, Any] = {"inventory": sl.Inventory(), "authenticate": lambda t: None}
        with pytest.raises(ValidationError):
            create_app(**{**arguments, **kwargs})

    def test_made_with_options(self) -> None:
        """An app is made over any inventory, with the export's options."""
        app = create_app(
            sl.Inventory(),
            authenticate=lambda t: None,
            options=EpcisOptions(identifiers="epc", company_prefixes=["9506000"]),
        )
        assert {route.path for route in app.routes} >= {"/events", "/capture"}  # type: ignore[attr-defined]


class TestQueryParameters:
    def test_values_split_on_bars_and_repeats(self) -> None:
        """``a|b`` and a repeated parameter both give several values; a path value (an EPC
        from ``/epcs/{epc}``) is never split."""
        query = parse_query(
            [
                ("EQ_bizStep", "shipping|receiving"),
                ("EQ_bizStep", "urn:epcglobal:cbv:bizstep:picking"),
            ],
            fixed={"MATCH_anyEPC": "urn:x:a|b"},
            party=None,
        )
        assert query.sets["EQ_bizStep"] == {"shipping", "receiving", "picking"}
        assert query.sets["MATCH_anyEPC"] == {"urn:x:a|b"}

    def test_digest_ties_query_and_party(self) -> None:
        """The page-token digest changes with the filters and the party, not with the page
        size or the token itself."""
        base = parse_query([("eventType", "ObjectEvent")], party="SHOP").digest
        assert (
            parse_query(
                [("eventType", "ObjectEvent"), ("perPage", "5"), ("nextPageToken", "x")],
                party="SHOP",
            ).digest
            == base
        )
        assert parse_query([("eventType", "ObjectEvent")], party="CAFE").digest != base
        assert parse_query([("eventType", "ObjectEvent")], party=None).digest != base
        assert parse_query([("eventType", "AggregationEvent")], party="SHOP").digest != base

    @pytest.mark.parametrize(
        "items",
        [
            [("GE_eventTime", "2026-03-02")],
            [("GE_eventTime", "2026-03-02T08:00:00Z"), ("GE_eventTime", "2026-03-03T08:00:00Z")],
            [("LT_recordTime", "\ud800")],
            [("EQ_bizLocation", "a||b")],
            [("EQ_bizTransaction_", "x")],
            [("EXISTS_errorDeclaration", "maybe")],
            [("MATCH_epc", "x" * 2001)],
            [("eq_bizStep", "shipping")],
        ],
    )
    def test_bad_parameters(self, items: list[tuple[str, str]]) -> None:
        """Malformed times, empty values, unknown or miscased names and overlong values are
        problems, not ignored."""
        with pytest.raises(Problem) as caught:
            parse_query(items, party=None)
        assert caught.value.status == 400


def test_without_the_extra_names_it() -> None:
    """Without Starlette, importing stockline.server says which extra installs it; the rest
    of stockline imports without it."""
    result = _run_blocked({"starlette"}, "import stockline.epcis\nimport stockline.server")
    assert result.returncode != 0
    assert "pip install 'stockline[server]'" in result.stderr
    assert "MissingDependencyError" in result.stderr
