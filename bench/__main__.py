"""``python -m bench``: the benchmark suite (see :mod:`bench.suite`)."""

from bench.suite import main

main()
