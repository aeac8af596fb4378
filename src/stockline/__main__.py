"""``stockline`` and ``python -m stockline``: the command line (see :mod:`stockline.cli`).

The command line needs the ``cli`` extra (rich); the library never imports it. Without it,
the console script says which extra to install instead of failing with a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

#: What the console script prints, on one line, when the ``cli`` extra is not installed.
MISSING_CLI = "stockline: the command line needs rich: pip install 'stockline[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Args:
        argv: The arguments after the program name; ``None`` reads ``sys.argv[1:]``.

    Returns:
        The process exit status (see :class:`stockline.cli.ExitCode`); 1 when the ``cli``
        extra is not installed.
    """
    try:
        from stockline.cli import main as run
    except ModuleNotFoundError as e:
        if (e.name or "").partition(".")[0] != "rich":
            raise
        print(MISSING_CLI, file=sys.stderr)
        return 1
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
