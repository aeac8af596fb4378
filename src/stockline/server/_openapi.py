"""The OpenAPI 3.1 document of the EPCIS REST app, served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from stockline.server._query import EVENT_TYPES

__all__ = ["openapi_document"]

_MULTI = "several values are given by repeating the parameter or separated by '|'"


def _param(name: str, description: str, *, where: str = "query", **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


_QUERY = [
    _param("eventType", f"Event types; {_MULTI}.", type="string", enum=list(EVENT_TYPES)),
    _param("GE_eventTime", "Events at or after this time.", type="string", format="date-time"),
    _param("LT_eventTime", "Events before this time.", type="string", format="date-time"),
    _param(
        "GE_recordTime", "Events recorded at or after this time.", type="string", format="date-time"
    ),
    _param("LT_recordTime", "Events recorded before this time.", type="string", format="date-time"),
    _param("EQ_action", f"ADD, OBSERVE or DELETE; {_MULTI}."),
    _param("EQ_bizStep", f"Business steps (CBV word or URI); {_MULTI}."),
    _param("EQ_disposition", f"Dispositions (CBV word or URI); {_MULTI}."),
    _param("EQ_readPoint", f"Read point identifiers; {_MULTI}."),
    _param("WD_readPoint", f"Read points, with every location below them; {_MULTI}."),
    _param("EQ_bizLocation", f"Business location identifiers; {_MULTI}."),
    _param("WD_bizLocation", f"Business locations, with every location below them; {_MULTI}."),
    _param("EQ_eventID", f"Event IDs; {_MULTI}."),
    _param("MATCH_epc", f"EPCs in epcList or childEPCs; {_MULTI}."),
    _param("MATCH_anyEPC", f"EPCs anywhere in the event, parentID included; {_MULTI}."),
    _param("MATCH_parentID", f"Parent IDs; {_MULTI}."),
    _param("MATCH_inputEPC", f"EPCs in inputEPCList; {_MULTI}."),
    _param("MATCH_outputEPC", f"EPCs in outputEPCList; {_MULTI}."),
    _param("MATCH_epcClass", f"Classes in quantityList or childQuantityList; {_MULTI}."),
    _param("MATCH_anyEPCClass", f"Classes in any quantity list; {_MULTI}."),
    _param(
        "EXISTS_errorDeclaration",
        "Only events with an error declaration (true) or without one (false).",
        type="string",
        enum=["", "true", "false"],
    ),
    _param("perPage", "Events per page.", type="integer", minimum=1),
    _param("nextPageToken", "The token of the next page, from the previous page's Link header."),
]
_BIZ_TRANSACTION_NOTE = (
    "EQ_bizTransaction_<type> (e.g. EQ_bizTransaction_po) filters on business transactions of "
    "that type; " + _MULTI + "."
)

_PROBLEM = {
    "description": "An RFC 7807 problem document.",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
_QUERY_DOCUMENT = {
    "description": 'An EPCISQueryDocument; a Link header with rel="next" gives the next page.',
    "headers": {"Link": {"schema": {"type": "string"}}},
    "content": {"application/ld+json": {"schema": {"type": "object"}}},
}
_COLLECTION = {
    "description": "The values.",
    "content": {
        "application/ld+json": {
            "schema": {
                "type": "object",
                "properties": {"@set": {"type": "array", "items": {"type": "string"}}},
            }
        }
    },
}
_JOB = {
    "description": "The capture job.",
    "content": {"application/ld+json": {"schema": {"$ref": "#/components/schemas/CaptureJob"}}},
}
_ERRORS = {str(code): _PROBLEM for code in (400, 401, 404, 413)}


def _query_operation(summary: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "tags": ["Events"],
            "summary": summary,
            "description": _BIZ_TRANSACTION_NOTE,
            "parameters": [*extra, *_QUERY],
            "responses": {"200": _QUERY_DOCUMENT, **_ERRORS},
        }
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stockline EPCIS 2.0 REST interface",
            "version": "2.0.0",
            "description": (
                "Event queries over the stock ledger and captures of partners' EPCIS 2.0 "
                "documents as expected receipts. A partner sees only the events of goods "
                "received from it, shipped or returned to it, and their corrections."
            ),
        },
        "security": [{"bearer": []}],
        "paths": {
            "/events": _query_operation("Events, in ledger order, a page at a time.", []),
            "/events/{eventID}": {
                "get": {
                    "tags": ["Events"],
                    "summary": "One event by its ID (with its error declaration, if any).",
                    "parameters": [_param("eventID", "The event's ID.", where="path")],
                    "responses": {
                        "200": {
                            "description": "The event.",
                            "content": {"application/ld+json": {"schema": {"type": "object"}}},
                        },
                        **_ERRORS,
                    },
                }
            },
            "/eventTypes": {
                "get": {
                    "tags": ["Top-level"],
                    "summary": "The event types the repository writes.",
                    "responses": {"200": _COLLECTION, "401": _PROBLEM},
                }
            },
            "/eventTypes/{eventType}/events": _query_operation(
                "Events of one type.",
                [_param("eventType", "The event type.", where="path")],
            ),
            "/epcs/{epc}/events": _query_operation(
                "Events about one EPC.", [_param("epc", "The EPC (URL-encoded).", where="path")]
            ),
            "/bizSteps": {
                "get": {
                    "tags": ["Top-level"],
                    "summary": "The business steps the repository writes.",
                    "responses": {"200": _COLLECTION, "401": _PROBLEM},
                }
            },
            "/dispositions": {
                "get": {
                    "tags": ["Top-level"],
                    "summary": "The dispositions the repository writes by default.",
                    "responses": {"200": _COLLECTION, "401": _PROBLEM},
                }
            },
            "/capture": {
                "post": {
                    "tags": ["Capture"],
                    "summary": "Capture an EPCIS 2.0 document as expected receipts.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"type": "object"}},
                            "application/ld+json": {"schema": {"type": "object"}},
                        },
                    },
                    "responses": {
                        "202": {**_JOB, "headers": {"Location": {"schema": {"type": "string"}}}},
                        **_ERRORS,
                        "403": _PROBLEM,
                        "409": _PROBLEM,
                        "415": _PROBLEM,
                    },
                },
                "get": {
                    "tags": ["Capture"],
                    "summary": "The caller's capture jobs.",
                    "responses": {
                        "200": {
                            "description": "The jobs.",
                            "content": {
                                "application/ld+json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/CaptureJob"},
                                    }
                                }
                            },
                        },
                        "401": _PROBLEM,
                    },
                },
            },
            "/capture/{captureID}": {
                "get": {
                    "tags": ["Capture"],
                    "summary": "One capture job.",
                    "parameters": [_param("captureID", "The capture's ID.", where="path")],
                    "responses": {"200": _JOB, "401": _PROBLEM, "404": _PROBLEM},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "instance": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "path": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                    "required": ["type", "title", "status", "detail"],
                },
                "CaptureJob": {
                    "type": "object",
                    "properties": {
                        "captureID": {"type": "string"},
                        "createdAt": {"type": "string", "format": "date-time"},
                        "finishedAt": {"type": "string", "format": "date-time"},
                        "running": {"type": "boolean"},
                        "success": {"type": "boolean"},
                        "captureErrorBehaviour": {"type": "string"},
                        "errors": {"type": "array"},
                    },
                },
            },
        },
    }
