"""The examples in stockline.gs1 docstrings run, so the rendered docs cannot drift."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from stockline import gs1
from stockline.gs1 import _encode, _epc, _parse


class TestDocstringExamples:
    @pytest.mark.parametrize("module", [gs1, _encode, _epc, _parse], ids=lambda m: m.__name__)
    def test_examples_run(self, module: ModuleType) -> None:
        """Every docstring example in the module gives the output it shows."""
        result = doctest.testmod(module)
        assert result.attempted > 0
        assert result.failed == 0
