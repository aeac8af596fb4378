"""The shape of the package: a pure core, and a public surface that only changes on purpose."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import stockline
import stockline.adapters
import stockline.errors
import stockline.gs1
import stockline.ledger

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in {blocked!r}:
                # As if it were not installed (what an uninstalled extra raises).
                raise ModuleNotFoundError(f"the core must not import {{name}}", name=name)
            return None

    sys.meta_path.insert(0, Block())
    {body}
    """
)


def _run_blocked(blocked: set[str], body: str) -> subprocess.CompletedProcess[str]:
    code = BLOCKER.format(blocked=blocked, body=body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


class TestPureCore:
    def test_core_imports_without_adapters_libraries(self) -> None:
        """ledger/, genealogy/ and policies/ import only the standard library, attrs, pendulum."""
        result = _run_blocked(
            {"sqlalchemy", "alembic", "biip", "hypothesis", "rich"},
            "import stockline.ledger, stockline.policies, stockline.genealogy",
        )
        assert result.returncode == 0, result.stderr

    def test_in_memory_inventory_needs_no_sqlalchemy(self) -> None:
        """Using the in-memory store never imports SQLAlchemy or hypothesis."""
        result = _run_blocked(
            {"sqlalchemy", "alembic", "hypothesis"},
            "import stockline as sl; inv = sl.Inventory(); inv.add_item('X'); "
            "inv.add_location('A'); inv.receive('X', 1, dst='A', supplier='S'); "
            "assert inv.on_hand('X') == 1",
        )
        assert result.returncode == 0, result.stderr

    def test_blocker_works(self) -> None:
        """The import blocker itself blocks (so the tests above can fail)."""
        result = _run_blocked({"sqlalchemy"}, "import stockline.adapters.sqlalchemy")
        assert result.returncode != 0
        assert "must not import sqlalchemy" in result.stderr

    def test_library_never_imports_rich(self) -> None:
        """rich is the ``cli`` extra: every module outside stockline.cli imports without it."""
        result = _run_blocked(
            {"rich"},
            "import importlib, pkgutil, stockline\n"
            "for m in pkgutil.walk_packages(stockline.__path__, 'stockline.'):\n"
            "    if not m.name.startswith('stockline.cli'):\n"
            "        importlib.import_module(m.name)\n"
            "import stockline.__main__",
        )
        assert result.returncode == 0, result.stderr

    def test_console_script_without_rich_names_the_extra(self) -> None:
        """Without the ``cli`` extra, ``stockline`` says what to install, on one line, exit 1."""
        result = _run_blocked(
            {"rich"}, "import sys; from stockline.__main__ import main; sys.exit(main(['--help']))"
        )
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert "pip install 'stockline[cli]'" in result.stderr

    def test_only_gs1_imports_biip(self) -> None:
        """biip is used in stockline.gs1 and nowhere else."""
        from pathlib import Path

        root = Path(stockline.__file__).parent
        users = {
            p.relative_to(root).parts[0]
            for p in root.rglob("*.py")
            if "import biip" in p.read_text() or "from biip" in p.read_text()
        }
        assert users == {"gs1"}


class TestPublicNames:
    def test_top_level(self) -> None:
        """The names most users need, and no others, are exported from stockline."""
        assert sorted(stockline.__all__) == [
            "Authorizer",
            "Balance",
            "Component",
            "FixedClock",
            "InMemoryStockStore",
            "IntegrityReport",
            "Inventory",
            "Item",
            "Location",
            "LocationKind",
            "Lot",
            "Movement",
            "NewTransaction",
            "Node",
            "Output",
            "Position",
            "RecallReport",
            "Reference",
            "SqlAlchemyStockStore",
            "StocklineError",
            "Trace",
            "Tracking",
            "Transaction",
            "TxKind",
            "__version__",
        ]

    def test_every_exported_name_exists(self) -> None:
        """Every name in an __all__ can be imported."""
        for module in (
            stockline,
            stockline.ledger,
            stockline.adapters,
            stockline.errors,
            stockline.gs1,
        ):
            for name in module.__all__:
                assert getattr(module, name) is not None, f"{module.__name__}.{name}"

    def test_every_error_is_a_stockline_error(self) -> None:
        """Callers can catch the whole family with StocklineError."""
        for name in stockline.errors.__all__:
            assert issubclass(getattr(stockline.errors, name), stockline.errors.StocklineError)
