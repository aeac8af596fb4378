"""The EPCIS 2.0 REST binding as an ASGI application, for a web service to mount (needs
``pip install 'stockline[server]'``).

:func:`create_app` serves an inventory's events (those of ``inv.epcis.export()``) to trading
partners, a page at a time, and captures their EPCIS documents as expected receipts. A bearer
token is mapped to a :class:`Partner` by the caller's ``authenticate`` hook; a partner sees only
the events of its own receipts, shipments and returns. :class:`Limits` bounds documents and
pages.
"""

from stockline.errors import MissingDependencyError

try:
    import starlette  # noqa: F401
except ImportError as e:  # pragma: no cover - run in a subprocess by the tests
    raise MissingDependencyError(
        extra="server", feature="the EPCIS REST app (stockline.server)", package="starlette"
    ) from e

from stockline.server._access import Authenticate, Limits, Partner
from stockline.server._app import create_app

__all__ = ["Authenticate", "Limits", "Partner", "create_app"]
