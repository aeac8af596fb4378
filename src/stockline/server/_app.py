"""The EPCIS 2.0 REST binding over an inventory, as a Starlette application."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stockline import Inventory
from stockline.epcis import CBV_BIZ_STEPS, CBV_DISPOSITIONS, EpcisOptions
from stockline.errors import (
    DuplicateError,
    EpcisError,
    NotFoundError,
    StocklineError,
    ValidationError,
)
from stockline.ledger import Book, boundary
from stockline.server import _capture
from stockline.server._access import Authenticate, Limits, Partner
from stockline.server._openapi import openapi_document
from stockline.server._problems import Problem, problem_response
from stockline.server._query import EVENT_TYPES, EventQuery, parse_query

__all__ = ["create_app"]

#: The ``@context`` of every document the app answers with (the export's).
CONTEXT: list[Any] = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"stockline": "urn:stockline:epcis:"},
]
_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
_LD_JSON = "application/ld+json"
_JSON_TYPES = ("application/json", "application/ld+json")
#: The event types stockline writes.
_EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransformationEvent")
#: A page token: the position of the last event read, and the query's digest.
_TOKEN = re.compile(r"([0-9]{1,19})\.(-1|[0-9]{1,10})\.([0-9a-f]{16})")
_PAST = boundary.MAX_WHOLE

Handler = Callable[[Request], Awaitable[Response]]


@attrs.define(repr=False)
class _Service:
    inventory: Inventory
    book: Book
    authenticate: Authenticate
    options: EpcisOptions
    limits: Limits

    # -- the caller --------------------------------------------------------------------------

    def partner(self, request: Request) -> Partner:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        partner = self.authenticate(token) if scheme.lower() == "bearer" and token else None
        if partner is None:
            raise Problem(
                401,
                "SecurityException",
                "a valid bearer token is needed (Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": 'Bearer realm="epcis"'},
            )
        if not isinstance(partner, Partner):
            raise TypeError(f"authenticate returned {type(partner).__name__}, not a Partner")
        return partner

    # -- queries -----------------------------------------------------------------------------

    def page(
        self, partner: Partner, query: EventQuery, after: tuple[int, int] | None, size: int
    ) -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
        """One page of events and the position the next page starts after (``None``: the
        last page)."""
        if query.needs_tree:
            query = query.with_tree(self.inventory.epcis.location_identifiers(options=self.options))
        start = 0 if after is None else after[0]
        through = min(start + self.limits.max_scan, boundary.MAX_ID)
        found: list[dict[str, Any]] = []
        for item in self.inventory.epcis.events(
            after=after, through=through, party=partner.party, options=self.options
        ):
            if query.matches(item.event):
                found.append(item.event)
                if len(found) == size:
                    return found, (item.transaction, item.index)
        more = self.inventory.changes(after=through, limit=1)
        return found, (through, _PAST) if more else None

    def event(self, partner: Partner, event_id: str) -> dict[str, Any] | None:
        """The event with this ID the partner may see; its error-declared copy when the
        transaction was reversed (it comes later in the ledger, with the same ID)."""
        found = None
        for item in self.inventory.epcis.events(party=partner.party, options=self.options):
            if item.event["eventID"] == event_id:
                found = item.event
        return found


def _token(position: tuple[int, int], query: EventQuery) -> str:
    text = f"{position[0]}.{position[1]}.{query.digest}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position(token: str, query: EventQuery) -> tuple[int, int]:
    bad = Problem(
        400,
        "ValidationException",
        "nextPageToken is not one this repository gave for this query; repeat the query "
        "without it to start again",
    )
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    match = _TOKEN.fullmatch(text)
    if match is None or match[3] != query.digest:
        raise bad
    tx, index = int(match[1]), int(match[2])
    if tx > boundary.MAX_ID or index > _PAST:
        raise bad
    return tx, index


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _page_size(request: Request, limits: Limits) -> int:
    raw = request.query_params.getlist("perPage")
    if not raw:
        return limits.default_page_size
    if len(raw) > 1 or not _digits(raw[0]) or len(raw[0]) > 10 or int(raw[0]) < 1:
        raise Problem(400, "QueryParameterException", "perPage must be one whole number >= 1")
    size = int(raw[0])
    if size > limits.max_page_size:
        raise Problem(
            413,
            "QueryTooLargeException",
            f"perPage {size} is more than this repository serves in a page "
            f"({limits.max_page_size}); ask for at most that many and follow the next-page links",
        )
    return size


def _query_document(events: list[dict[str, Any]], created: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": events},
            }
        },
    }


def _ld(body: Any, status: int = 200, headers: Mapping[str, str] = {}) -> JSONResponse:
    return JSONResponse(
        body, status_code=status, headers={**_HEADERS, **headers}, media_type=_LD_JSON
    )


def _routes(service: _Service) -> list[Route]:
    configured = service.options.dispositions.values()
    dispositions = tuple(sorted({*CBV_DISPOSITIONS, *configured}))

    async def events(request: Request, fixed: Mapping[str, str] = {}) -> Response:
        partner = await run_in_threadpool(service.partner, request)
        query = parse_query(request.query_params.multi_items(), fixed=fixed, party=partner.party)
        size = _page_size(request, service.limits)
        tokens = request.query_params.getlist("nextPageToken")
        if len(tokens) > 1:
            raise Problem(400, "QueryParameterException", "nextPageToken is given twice")
        after = _position(tokens[0], query) if tokens else None
        found, position = await run_in_threadpool(service.page, partner, query, after, size)
        headers = {}
        if position is not None:
            url = request.url.include_query_params(nextPageToken=_token(position, query))
            headers["Link"] = f'<{url}>; rel="next"'
        created = _capture.format_time(service.book.now())
        return _ld(_query_document(found, created), headers=headers)

    async def all_events(request: Request) -> Response:
        return await events(request)

    async def epc_events(request: Request) -> Response:
        return await events(request, {"MATCH_anyEPC": request.path_params["epc"]})

    async def typed_events(request: Request) -> Response:
        kind = request.path_params["event_type"]
        if kind not in EVENT_TYPES:
            raise Problem(404, "NoSuchResourceException", f"no event type {kind!r}")
        return await events(request, {"eventType": kind})

    async def event(request: Request) -> Response:
        partner = await run_in_threadpool(service.partner, request)
        event_id = request.path_params["event_id"]
        found = await run_in_threadpool(service.event, partner, event_id)
        if found is None:
            raise Problem(404, "NoSuchResourceException", f"no event {event_id!r} for you")
        return _ld({"@context": CONTEXT, **found})

    def listing(values: tuple[str, ...]) -> Handler:
        async def listed(request: Request) -> Response:
            await run_in_threadpool(service.partner, request)
            return _ld({"@set": list(values)})

        return listed

    async def post_capture(request: Request) -> Response:
        partner = await run_in_threadpool(service.partner, request)
        if not partner.capture:
            raise Problem(403, "SecurityException", f"{partner.name} may not capture documents")
        kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
        if kind.lower() not in _JSON_TYPES:
            raise Problem(
                415,
                "UnsupportedMediaTypeException",
                f"captures are EPCIS 2.0 JSON documents (application/json or "
                f"application/ld+json), not {kind!r}",
            )
        body = await _body(request, service.limits.max_document_bytes)
        job = await run_in_threadpool(
            _capture.capture, service.inventory, service.book, partner, body
        )
        # The job's URL under wherever the app is mounted: this request's path, one deeper.
        location = f"{request.url.path.rstrip('/')}/{job['captureID']}"
        return _ld(job, status=202, headers={"Location": location})

    async def capture_job(request: Request) -> Response:
        partner = await run_in_threadpool(service.partner, request)
        capture_id = request.path_params["capture_id"]
        job = await run_in_threadpool(_capture.job, service.book, partner, capture_id)
        if job is None:
            raise Problem(404, "NoSuchResourceException", f"no capture {capture_id!r} for you")
        return _ld(job)

    async def capture_jobs(request: Request) -> Response:
        partner = await run_in_threadpool(service.partner, request)
        return _ld(await run_in_threadpool(_capture.jobs, service.book, partner))

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(), headers=_HEADERS)

    return [
        Route("/events", all_events, methods=["GET"]),
        Route("/events/{event_id:path}", event, methods=["GET"]),
        Route("/eventTypes", listing(_EVENT_TYPES), methods=["GET"]),
        Route("/eventTypes/{event_type}/events", typed_events, methods=["GET"]),
        Route("/epcs/{epc:path}/events", epc_events, methods=["GET"]),
        Route("/bizSteps", listing(CBV_BIZ_STEPS), methods=["GET"]),
        Route("/dispositions", listing(dispositions), methods=["GET"]),
        Route("/capture", post_capture, methods=["POST"]),
        Route("/capture", capture_jobs, methods=["GET"]),
        Route("/capture/{capture_id}", capture_job, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]


async def _body(request: Request, limit: int) -> bytes:
    too_large = Problem(
        413,
        "CaptureLimitExceededException",
        f"the capture document is larger than this repository accepts ({limit} bytes); "
        "split it into several documents",
    )
    declared = request.headers.get("content-length")
    if declared is not None and (not _digits(declared) or int(declared) > limit):
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc, request.url.path)


def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kinds = {404: "NoSuchResourceException", 405: "MethodNotAllowedException"}
    problem = Problem(
        exc.status_code,
        kinds.get(exc.status_code, "ImplementationException"),
        str(exc.detail),
        headers=dict(exc.headers or {}),
    )
    return problem_response(problem, request.url.path)


def _error_handler(request: Request, exc: Exception) -> Response:
    """A stockline error as a problem: a document that does not validate lists every problem
    with its JSON path."""
    assert isinstance(exc, StocklineError)
    if isinstance(exc, EpcisError):
        problem = Problem(400, "ValidationException", str(exc), errors=exc.problems)
    elif isinstance(exc, DuplicateError):
        problem = Problem(409, "CaptureConflictException", str(exc))
    elif isinstance(exc, NotFoundError):
        problem = Problem(404, "NoSuchResourceException", str(exc))
    elif isinstance(exc, ValidationError):
        problem = Problem(400, "ValidationException", str(exc))
    else:
        problem = Problem(400, "ImplementationException", str(exc))
    return problem_response(problem, request.url.path)


def create_app(
    inventory: Inventory,
    *,
    authenticate: Authenticate,
    options: EpcisOptions | None = None,
    limits: Limits | None = None,
) -> Starlette:
    """Return the EPCIS 2.0 REST application over ``inventory``, to mount in a web service.

    It answers the EPCIS 2.0 REST binding's event queries and captures: ``GET /events`` (and
    ``/events/{eventID}``, ``/eventTypes/{eventType}/events``, ``/epcs/{epc}/events``),
    ``/eventTypes``, ``/bizSteps``, ``/dispositions``, ``POST /capture`` and
    ``GET /capture/{captureID}``, and serves its OpenAPI document at ``/openapi.json``. The
    events are those of :meth:`stockline.epcis.Epcis.export`, with the same IDs, in ledger
    order, read a batch at a time from where the page starts; a capture is imported with
    :meth:`stockline.epcis.Epcis.expect` as expected receipts. Every request needs a bearer
    token that ``authenticate`` maps to a :class:`Partner`; a partner with a ``party`` sees
    only the events of transactions with that counterparty. Errors are RFC 7807 problem
    documents. See the how-to "Serve EPCIS over HTTP".

    Args:
        inventory: The inventory to serve, on any store (each request runs in a worker
            thread; every store stockline ships may be used from several threads).
        authenticate: Maps a bearer token to the partner it stands for, or ``None``.
        options: How events name things (:class:`~stockline.epcis.EpcisOptions`), as for
            the export.
        limits: Document and page size limits (:class:`Limits`); the defaults when ``None``.

    Returns:
        An ASGI application (Starlette), to run with an ASGI server or mount under a prefix.

    Raises:
        ValidationError: A bad ``inventory``, ``authenticate``, ``options`` or ``limits``.
    """
    if not isinstance(inventory, Inventory):
        raise ValidationError(what="inventory", value=inventory, expected="an Inventory")
    if not callable(authenticate):
        raise ValidationError(
            what="authenticate", value=authenticate, expected="a callable: token -> Partner"
        )
    options = EpcisOptions() if options is None else options
    if not isinstance(options, EpcisOptions):
        raise ValidationError(what="options", value=options, expected="an EpcisOptions")
    limits = Limits() if limits is None else limits
    if not isinstance(limits, Limits):
        raise ValidationError(what="limits", value=limits, expected="a Limits")
    service = _Service(
        inventory=inventory,
        book=Book(store=inventory.store, clock=inventory.clock, authorizer=inventory.authorizer),
        authenticate=authenticate,
        options=options,
        limits=limits,
    )
    return Starlette(
        routes=_routes(service),
        exception_handlers={
            Problem: _problem_handler,
            HTTPException: _http_handler,
            StocklineError: _error_handler,
        },
    )
