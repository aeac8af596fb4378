"""Every docstring example in the package runs and shows what it says (gs1 has its own test)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import stockline


def _modules_with_examples() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(stockline.__path__, "stockline."):
        if info.name.startswith(("stockline.gs1", "stockline.testing", "stockline.__main__")):
            continue
        module = importlib.import_module(info.name)
        if doctest.DocTestFinder().find(module) and any(
            t.examples for t in doctest.DocTestFinder().find(module)
        ):
            found.append(module)
    return found


MODULES = _modules_with_examples()


def test_examples_are_found() -> None:
    """The Inventory and FixedClock examples are among those run (the test below is not empty)."""
    names = {m.__name__ for m in MODULES}
    assert {"stockline._inventory", "stockline.ledger._time"} <= names


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_examples_run(module: ModuleType) -> None:
    """Every docstring example in the module gives the output it shows."""
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
