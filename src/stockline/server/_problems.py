"""Errors as RFC 7807 problem documents, typed with the EPCIS 2.0 exception names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["Problem", "problem_response"]

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}


class Problem(Exception):  # noqa: N818 - it is the problem document, raised to answer with it
    """A request the app refuses, answered with an ``application/problem+json`` body.

    ``kind`` is the EPCIS exception name (``QueryParameterException``, ``ValidationException``,
    ...); ``errors`` are ``(JSON path, message)`` pairs for a document that does not validate.
    """

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = headers or {}

    def body(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"epcisException:{self.kind}",
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        if self.errors:
            body["errors"] = [{"path": path, "message": message} for path, message in self.errors]
        return body


def problem_response(problem: Problem, instance: str) -> JSONResponse:
    """The problem as a response."""
    return JSONResponse(
        problem.body(instance),
        status_code=problem.status,
        headers=problem.headers,
        media_type="application/problem+json",
    )
