"""The EPCIS REST app as partners meet it: a uvicorn process on loopback, over SQLite and
PostgreSQL, called with httpx. One server per store for the whole module."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import stockline as sl
from stockline.adapters import SqlAlchemyStockStore
from tests import _postgres
from tests.epcis import _export_scenario as scenario
from tests.server._serve import LIMITS

ROOT = Path(__file__).parents[2]
EXTERNAL = ROOT.parent / "shared" / "research" / "refdata" / "external" / "epcis"
Event = dict[str, Any]


@attrs.frozen
class Live:
    """The running server, a client for it and the inventory it serves (read here too)."""

    client: httpx.Client
    inv: sl.Inventory
    kind: str

    def get(self, path: str, token: str | None = "erp-token", **params: Any) -> httpx.Response:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return self.client.get(path, params=params, headers=headers)

    def all_events(
        self, path: str = "/events", token: str = "erp-token", **params: Any
    ) -> list[Event]:
        """Every event of a query, following the next-page links."""
        found: list[Event] = []
        response = self.get(path, token, **params)
        for _ in range(1000):
            assert response.status_code == 200, response.text
            found += response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            link = response.headers.get("link")
            if link is None:
                return found
            assert link.endswith('>; rel="next"')
            response = self.client.get(
                link[1 : link.index(">")], headers={"Authorization": f"Bearer {token}"}
            )
        raise AssertionError("the pages never end")


def _ledger(store: sl.adapters.StockStore) -> sl.Inventory:
    """The export scenario, and a second customer with a shipment and a reversed one."""
    inv = scenario.build(store)
    inv.add_party("CAFE", kind="customer", name="Cafe")
    inv.ship("SALAD", 3, lot="S0302-B", src="DC1/KITCHEN", customer="CAFE", ref="SO-8")
    wrong = inv.ship("SALAD", 2, lot="S0302-B", src="DC1/KITCHEN", customer="CAFE", ref="SO-9")
    inv.reverse(wrong.id, reason="keyed twice")
    return inv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=_postgres.requires_postgres)],
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The scenario's ledger in a database, and a uvicorn process serving it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('live')}/stock.db"
        store = SqlAlchemyStockStore.open(url)
    else:
        server: _postgres.PostgresServer = request.getfixturevalue("postgres_server")
        url = server.fresh_database()
        store = SqlAlchemyStockStore.open(url, migrate=False)
    inv = _ledger(store)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.server._serve", url, str(port)], cwd=ROOT, env=env
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get("/openapi.json").status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Live(client, inv, request.param)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        store.close()


@pytest.fixture(scope="module")
def exported(live: Live) -> list[Event]:
    """The export's events of the served ledger."""
    events: list[Event] = live.inv.epcis.export()["epcisBody"]["eventList"]
    return events


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class TestQuery:
    def test_concurrent_readers(self, live: Live, exported: list[Event]) -> None:
        """Partners paging at the same time, from a server that has read nothing yet, each
        get what they would alone (what the stream remembers is shared between threads)."""
        readers = [("erp-token", 4), ("erp-token", 9), ("cafe-token", 2), ("farm-token", 3)]
        with ThreadPoolExecutor(max_workers=len(readers)) as pool:
            pages = list(pool.map(lambda r: live.all_events(token=r[0], perPage=r[1]), readers))
        assert pages[0] == pages[1] == exported
        assert pages[2] == [e for e in exported if _transaction(e) in _own(live.inv, "CAFE")]
        assert pages[3] == [e for e in exported if _transaction(e) in _own(live.inv, "FARM")]

    def test_pages_add_up_to_the_export(self, live: Live, exported: list[Event]) -> None:
        """Following the next-page links of ``GET /events`` yields exactly the export's
        events, IDs and order, whatever the page size; the last page has no link."""
        assert live.all_events(perPage=7) == exported
        assert live.all_events() == exported
        last = live.get("/events", perPage=50, nextPageToken=_last_token(live))
        assert "link" not in last.headers

    def test_document_shape(self, live: Live) -> None:
        """A page is an EPCISQueryDocument with the export's context, as JSON-LD, with the
        EPCIS and CBV version headers."""
        response = live.get("/events", perPage=1)
        body = response.json()
        assert response.headers["content-type"].startswith("application/ld+json")
        assert response.headers["gs1-epcis-version"] == "2.0.0"
        assert body["type"] == "EPCISQueryDocument"
        assert body["@context"] == live.inv.epcis.export()["@context"]

    @pytest.mark.parametrize(
        ("params", "keep"),
        [
            ({"eventType": "AggregationEvent"}, lambda e: e["type"] == "AggregationEvent"),
            (
                {"eventType": "ObjectEvent|TransformationEvent"},
                lambda e: e["type"] in ("ObjectEvent", "TransformationEvent"),
            ),
            ({"EQ_bizStep": "shipping"}, lambda e: e.get("bizStep") == "shipping"),
            (
                {"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-receiving"},
                lambda e: e.get("bizStep") == "receiving",
            ),
            (
                {"EQ_disposition": "urn:epcglobal:cbv:disp:in_transit"},
                lambda e: e.get("disposition") == "in_transit",
            ),
            (
                {"GE_eventTime": "2026-03-02T08:40:00Z", "LT_eventTime": "2026-03-02T09:00+00:00"},
                lambda e: "2026-03-02T08:40" <= e["eventTime"] < "2026-03-02T09:00",
            ),
            (
                {"GE_recordTime": "2026-03-02T09:00:00Z"},
                lambda e: e["recordTime"] >= "2026-03-02T09",
            ),
            ({"EXISTS_errorDeclaration": ""}, lambda e: "errorDeclaration" in e),
            ({"EQ_action": "DELETE"}, lambda e: e.get("action") == "DELETE"),
            (
                {"EQ_bizTransaction_po": "urn:stockline:document:PO:PO-2|x"},
                lambda e: (
                    {"type": "po", "bizTransaction": "urn:stockline:document:PO:PO-2"}
                    in e.get("bizTransactionList", [])
                ),
            ),
        ],
    )
    def test_filters(
        self,
        live: Live,
        exported: list[Event],
        params: dict[str, str],
        keep: Callable[[Event], bool],
    ) -> None:
        """Each standard query parameter keeps exactly the events it names, in ledger order,
        across pages."""
        expected = [e for e in exported if keep(e)]
        assert expected, "the scenario has events of this kind"
        assert live.all_events(perPage=3, **params) == expected

    def test_identifier_filters(self, live: Live, exported: list[Event]) -> None:
        """MATCH_epc, MATCH_anyEPC, MATCH_epcClass, MATCH_parentID, EQ_bizLocation and
        EQ_eventID, for every value the export holds, keep the events holding it; so does
        ``/epcs/{epc}/events``."""
        epcs = {epc for e in exported for epc in e.get("epcList", []) + e.get("childEPCs", [])}
        for epc in sorted(epcs)[:3]:
            holding = [e for e in exported if epc in e.get("epcList", []) + e.get("childEPCs", [])]
            assert live.all_events(MATCH_epc=epc) == holding
        parents = {e["parentID"] for e in exported if "parentID" in e}
        for parent in parents:
            assert live.all_events(MATCH_parentID=parent) == [
                e for e in exported if e.get("parentID") == parent
            ]
            anywhere = [e for e in exported if parent in json.dumps(e)]
            assert live.all_events(f"/epcs/{_quote(parent)}/events") == anywhere
        classes = {q["epcClass"] for e in exported for q in e.get("quantityList", [])}
        for cls in sorted(classes)[:2]:
            quantities = ("quantityList", "childQuantityList")
            assert live.all_events(MATCH_epcClass=cls) == [
                e
                for e in exported
                if cls in [q["epcClass"] for f in quantities for q in e.get(f, [])]
            ]
        places = {e["bizLocation"]["id"] for e in exported if "bizLocation" in e}
        for place in sorted(places)[:2]:
            assert live.all_events(EQ_bizLocation=place) == [
                e for e in exported if e.get("bizLocation", {}).get("id") == place
            ]
        assert live.all_events(EQ_eventID=exported[3]["eventID"]) == [exported[3]]

    def test_with_descendants(self, live: Live, exported: list[Event]) -> None:
        """WD_bizLocation of a site keeps the events at it and every location below it."""
        ids = live.inv.epcis.location_identifiers()
        below = {uri for path, uri in ids.items() if path == "DC1" or path.startswith("DC1/")}
        expected = [e for e in exported if e.get("bizLocation", {}).get("id") in below]
        assert len(expected) > 1
        assert live.all_events(WD_bizLocation=ids["DC1"]) == expected
        one = ids["DC1/A/01"]
        assert live.all_events(WD_bizLocation=one) == live.all_events(EQ_bizLocation=one)

    def test_one_event(self, live: Live, exported: list[Event]) -> None:
        """``/events/{eventID}`` answers the event; for a reversed transaction, its copy with
        the error declaration; an unknown ID is a 404 problem."""
        first = live.get(f"/events/{_quote(exported[0]['eventID'])}")
        assert first.status_code == 200
        assert {k: v for k, v in first.json().items() if k != "@context"} == exported[0]
        declared = [e for e in exported if "errorDeclaration" in e]
        again = live.get(f"/events/{_quote(declared[-1]['eventID'])}").json()
        assert again["errorDeclaration"] == declared[-1]["errorDeclaration"]
        missing = live.get("/events/ni%3A%2F%2F%2Fsha-256%3Babc")
        assert missing.status_code == 404
        assert missing.json()["type"] == "epcisException:NoSuchResourceException"

    def test_vocabularies(self, live: Live, exported: list[Event]) -> None:
        """/eventTypes, /bizSteps and /dispositions list what the events use."""
        types = live.get("/eventTypes").json()["@set"]
        steps = live.get("/bizSteps").json()["@set"]
        dispositions = live.get("/dispositions").json()["@set"]
        assert {e["type"] for e in exported} <= set(types)
        assert {e["bizStep"] for e in exported} <= set(steps)
        assert {e["disposition"] for e in exported if "disposition" in e} <= set(dispositions)
        typed = live.all_events("/eventTypes/AggregationEvent/events")
        assert typed == [e for e in exported if e["type"] == "AggregationEvent"]

    @pytest.mark.parametrize(
        ("params", "status", "kind"),
        [
            ({"EQ_colour": "red"}, 400, "QueryParameterException"),
            ({"eventType": "SensorEvent"}, 400, "QueryParameterException"),
            ({"GE_eventTime": "yesterday"}, 400, "QueryParameterException"),
            ({"GE_eventTime": "2026-03-02T08:00:00"}, 400, "QueryParameterException"),
            ({"EQ_bizStep": ""}, 400, "QueryParameterException"),
            ({"EQ_action": "MOVE"}, 400, "QueryParameterException"),
            ({"perPage": "0"}, 400, "QueryParameterException"),
            ({"perPage": "ten"}, 400, "QueryParameterException"),
            ({"perPage": "\u00b2"}, 400, "QueryParameterException"),
            ({"perPage": str(LIMITS.max_page_size + 1)}, 413, "QueryTooLargeException"),
            ({"MATCH_epc": "|".join(["x"] * 300)}, 413, "QueryTooComplexException"),
            ({"nextPageToken": "bm90IGEgdG9rZW4"}, 400, "ValidationException"),
            ({"nextPageToken": "%%%"}, 400, "ValidationException"),
        ],
    )
    def test_bad_queries_are_problems(
        self, live: Live, params: dict[str, str], status: int, kind: str
    ) -> None:
        """A bad or unknown parameter is refused with an RFC 7807 problem naming the EPCIS
        exception, never ignored."""
        response = live.get("/events", **params)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["type"] == f"epcisException:{kind}"
        assert body["status"] == status
        assert body["detail"]

    def test_token_belongs_to_its_query(self, live: Live) -> None:
        """A next-page token continues only the query that gave it."""
        link = live.get("/events", perPage=2).headers["link"]
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link[1:-13]).query)["nextPageToken"]
        assert live.get("/events", perPage=2, nextPageToken=token[0]).status_code == 200
        other = live.get("/events", EQ_bizStep="shipping", nextPageToken=token[0])
        assert other.status_code == 400

    def test_openapi_document(self, live: Live) -> None:
        """The OpenAPI document is served without a token and describes every route."""
        document = live.get("/openapi.json", token=None).json()
        assert document["openapi"].startswith("3.")
        assert {"/events", "/events/{eventID}", "/capture", "/capture/{captureID}"} <= set(
            document["paths"]
        )


def _last_token(live: Live) -> str:
    response = live.get("/events", perPage=50)
    link = ""
    while "link" in response.headers:
        link = response.headers["link"]
        response = live.client.get(
            link[1 : link.index(">")], headers={"Authorization": "Bearer erp-token"}
        )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link[1 : link.index(">")]).query)
    return query["nextPageToken"][0]


class TestSecurity:
    @pytest.mark.parametrize(
        "authorization", [None, "Bearer", "Bearer nobody", "Basic erp-token", "erp-token"]
    )
    def test_unknown_callers_are_refused(self, live: Live, authorization: str | None) -> None:
        """Without a bearer token the app knows, every route but the OpenAPI document
        answers 401 with a Bearer challenge."""
        headers = {} if authorization is None else {"Authorization": authorization}
        for path in ("/events", "/eventTypes", "/capture", "/epcs/x/events", "/events/x"):
            response = live.client.get(path, headers=headers)
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.json()["type"] == "epcisException:SecurityException"

    def test_each_partner_sees_its_own_events(self, live: Live, exported: list[Event]) -> None:
        """A partner's unfiltered query is exactly the events of its own transactions and
        their error declarations."""
        for token, party in (
            ("shop-token", "SHOP"),
            ("cafe-token", "CAFE"),
            ("farm-token", "FARM"),
        ):
            own = _own(live.inv, party)
            expected = [e for e in exported if _transaction(e) in own]
            assert expected
            assert live.all_events(token=token) == expected

    def test_no_query_shows_another_partners_events(
        self, live: Live, exported: list[Event]
    ) -> None:
        """Partner A cannot see partner B's (or anyone else's) events by any parameter:
        every event ID, EPC, class, location, business step and document of the whole
        ledger, asked for by A, yields only A's events."""
        every: dict[str, set[str]] = {}

        def note(name: str, value: str) -> None:
            every.setdefault(name, set()).add(value)

        for e in exported:
            note("EQ_eventID", e["eventID"])
            for epc in e.get("epcList", []) + e.get("childEPCs", []) + [e.get("parentID", "")]:
                if epc:
                    note("MATCH_anyEPC", epc)
            for q in e.get("quantityList", []) + e.get("childQuantityList", []):
                note("MATCH_anyEPCClass", q["epcClass"])
            if "bizLocation" in e:
                note("WD_bizLocation", e["bizLocation"]["id"])
            note("EQ_bizStep", e["bizStep"])
            for t in e.get("bizTransactionList", []):
                note(f"EQ_bizTransaction_{t.get('type', 'other')}", t["bizTransaction"])
        queries: list[dict[str, str]] = [{}] + [
            {name: "|".join(sorted(values))} for name, values in every.items()
        ]
        for token, party in (("cafe-token", "CAFE"), ("farm-token", "FARM")):
            own = _own(live.inv, party)
            for params in queries:
                for e in live.all_events(token=token, perPage=50, **params):
                    assert _transaction(e) in own, (token, params)
            if live.kind != "sqlite":
                continue  # what a partner sees does not depend on the store: the paths once
            others = [e for e in exported if _transaction(e) not in own]
            for event_id in {e["eventID"] for e in others}:
                response = live.get(f"/events/{_quote(event_id)}", token)
                if response.status_code == 200:  # the same ID for an event of its own
                    assert _transaction(response.json()) in own
                else:
                    assert response.status_code == 404
            epcs = {epc for e in others for epc in e.get("epcList", []) if epc}
            for epc in sorted(epcs)[:4]:
                for e in live.all_events(f"/epcs/{_quote(epc)}/events", token=token, perPage=50):
                    assert _transaction(e) in own

    def test_tokens_do_not_cross_partners(self, live: Live) -> None:
        """A page token given to one partner is refused to another."""
        link = live.get("/events", "farm-token", perPage=1).headers["link"]
        response = live.client.get(
            link[1 : link.index(">")], headers={"Authorization": "Bearer cafe-token"}
        )
        assert response.status_code == 400


def _transaction(event: Event) -> int:
    """The transaction an event records (an error declaration's: the reversal)."""
    return int(event.get("errorDeclaration", event)["stockline:transaction"])


def _own(inv: sl.Inventory, party: str) -> set[int]:
    """The transactions a party may see: its own, and the reversals of them."""
    own: set[int] = set()
    for tx in inv.changes(limit=10_000):
        original = inv.transaction(tx.reverses) if tx.reverses else tx
        if original.counterparty == party:
            own.add(tx.id)
    return own


def _documents(kind: str) -> list[Path]:
    found = sorted((EXTERNAL / kind).glob("*.json*"))
    if not found:
        pytest.skip(f"no reference documents at {EXTERNAL / kind}")
    return found


class TestCapture:
    def test_reference_documents(self, live: Live) -> None:
        """Every valid reference document is captured (202 with its job) or, when it
        announces a shipment already imported under the same key with another content,
        refused as a conflict (409); every invalid one is refused (400) with the JSON path of
        each problem. A capture job is readable at its Location, by its partner only."""
        accepted = 0
        # Capturing depends on the store only where the job is written: a sample on PostgreSQL.
        step = 1 if live.kind == "sqlite" else 6
        for path in _documents("valid")[::step]:
            body = path.read_bytes()
            if len(body) > LIMITS.max_document_bytes:
                continue
            response = live.client.post(
                "/capture",
                content=body,
                headers={"Authorization": "Bearer farm-token", "Content-Type": "application/json"},
            )
            assert response.status_code in (202, 409), (path.name, response.text)
            if response.status_code == 409:
                assert response.json()["type"] == "epcisException:CaptureConflictException"
                continue
            accepted += 1
            job = response.json()
            assert job["success"] is True
            where = response.headers["location"]
            assert live.get(where, "farm-token").json() == job
            assert live.get(where, "cafe-token").status_code == 404
            assert live.get(where, "erp-token").status_code == 200
        assert accepted > 10 // step
        for path in _documents("invalid")[::step]:
            response = live.client.post(
                "/capture",
                content=path.read_bytes(),
                headers={"Authorization": "Bearer farm-token", "Content-Type": "application/json"},
            )
            assert response.status_code == 400, path.name
            problem = response.json()
            assert problem["type"] == "epcisException:ValidationException"
            assert problem["errors"]
            assert all(error["path"].startswith("$") for error in problem["errors"])

    def test_announced_shipment_becomes_an_expected_receipt(self, live: Live) -> None:
        """A captured shipping event is an expected receipt in the served inventory; the same
        document sent again is the same capture."""
        document = _shipping_document("DESADV-LIVE-1", "LIVE-1")
        headers = {"Authorization": "Bearer farm-token", "Content-Type": "application/ld+json"}
        first = live.client.post("/capture", content=document, headers=headers)
        again = live.client.post("/capture", content=document, headers=headers)
        assert first.status_code == again.status_code == 202
        assert first.json()["captureID"] == again.json()["captureID"]
        assert first.json()["stockline:expectedReceipts"] == ["urn:example:desadv:DESADV-LIVE-1"]
        expected = live.inv.epcis.expectation("urn:example:desadv:DESADV-LIVE-1")
        assert [line.lot for line in expected.lines] == ["LIVE-1"]
        jobs = live.get("/capture", "farm-token").json()
        assert first.json() in jobs
        assert live.get("/capture", "cafe-token").json() == []

    def test_changed_announcement_is_a_conflict(self, live: Live) -> None:
        """Another content under a key imported before is refused (409) and changes nothing."""
        headers = {"Authorization": "Bearer farm-token", "Content-Type": "application/json"}
        live.client.post(
            "/capture", content=_shipping_document("DESADV-LIVE-2", "A"), headers=headers
        )
        response = live.client.post(
            "/capture", content=_shipping_document("DESADV-LIVE-2", "B"), headers=headers
        )
        assert response.status_code == 409
        assert [
            line.lot
            for line in live.inv.epcis.expectation("urn:example:desadv:DESADV-LIVE-2").lines
        ] == ["A"]

    @pytest.mark.parametrize(
        ("token", "content", "kind", "status", "problem"),
        [
            ("auditor-token", b"{}", "application/json", 403, "SecurityException"),
            ("farm-token", b"<EPCISDocument/>", "application/xml", 415, None),
            ("farm-token", b" " * 60_001, "application/json", 413, "CaptureLimitExceededException"),
            ("farm-token", b'{"type": ', "application/json", 400, "ValidationException"),
            ("farm-token", b"[1, 2]", "application/json", 400, "ValidationException"),
            ("farm-token", b"[" * 5000 + b"]" * 5000, "application/json", 400, None),
            ("farm-token", b"\xff\xfe{}", "application/json", 400, "ValidationException"),
        ],
    )
    def test_refused_captures(
        self,
        live: Live,
        token: str,
        content: bytes,
        kind: str,
        status: int,
        problem: str | None,
    ) -> None:
        """A capture the partner may not make, of the wrong type, too large, or not an EPCIS
        JSON object is refused with a problem document, and nothing is imported."""
        before = live.inv.epcis.expectations()
        response = live.client.post(
            "/capture",
            content=content,
            headers={"Authorization": f"Bearer {token}", "Content-Type": kind},
        )
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
        if problem is not None:
            assert response.json()["type"] == f"epcisException:{problem}"
        assert live.inv.epcis.expectations() == before


def _shipping_document(desadv: str, lot: str) -> bytes:
    """A supplier's EPCIS 2.0 document shipping 10 kg of asparagus of ``lot``."""
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-03-01T10:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "quantityList": [
            {
                "epcClass": f"https://id.gs1.org/01/{scenario.ASPARAGUS}/10/{lot}",
                "quantity": 10,
                "uom": "KGM",
            }
        ],
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": f"urn:example:desadv:{desadv}"}
        ],
    }
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T10:00:00Z",
        "epcisBody": {"eventList": [event]},
    }
    return json.dumps(document).encode()
