"""The ``stockline`` command line: build, look at, trace and check a ledger from a shell.

Each command group lives in its own module and registers its commands with the parser in
:mod:`stockline.cli._app`, which also maps errors to exit statuses. Run it as ``stockline``
(the console script) or ``python -m stockline``.
"""

from stockline.cli._app import ExitCode, build_parser, main

__all__ = ["ExitCode", "build_parser", "main"]
