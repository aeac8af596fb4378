"""The package surface: public names, and a core free of storage and test libraries."""

from __future__ import annotations

import subprocess
import sys

import stockline.policies

PUBLIC = [
    "DEFAULT_ALLOCATABLE_STATUSES",
    "Allocation",
    "AllocationPolicy",
    "Candidate",
    "CandidateFilter",
    "CandidateOrder",
    "Choice",
    "Composed",
    "Demand",
    "Exclusion",
    "Fefo",
    "FewestPicks",
    "Fifo",
    "Lifo",
    "MinShelfLife",
    "Pick",
    "SortKey",
    "WholeContainerFirst",
    "ZonePreference",
    "allocate",
    "compose",
    "fill",
]

_BLOCKED_IMPORT = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"sqlalchemy", "biip", "hypothesis"}:
            raise ImportError(f"the pure core imported {name}")
        return None
sys.meta_path.insert(0, Block())
import stockline.policies
"""


class TestPackage:
    def test_public_names(self) -> None:
        """The public names are exactly these; a change here is an API change."""
        assert sorted(stockline.policies.__all__) == sorted(PUBLIC)
        assert all(hasattr(stockline.policies, name) for name in PUBLIC)

    def test_public_names_documented(self) -> None:
        """Every public class and function has a docstring."""
        for name in PUBLIC:
            value = getattr(stockline.policies, name)
            if callable(value):
                assert value.__doc__, name

    def test_core_imports_no_storage_or_test_library(self) -> None:
        """stockline.policies imports without SQLAlchemy, biip or Hypothesis."""
        subprocess.run(
            [sys.executable, "-c", _BLOCKED_IMPORT],
            check=True,
            env={"PYTHONPATH": ":".join(p for p in sys.path if p)},
        )
