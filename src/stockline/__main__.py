"""``python -m stockline``: the command line (see :mod:`stockline.cli`)."""

from __future__ import annotations

import sys

from stockline.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
