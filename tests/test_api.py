"""The public surface, checked as a whole: every public signature resolves at run time, and no
package reaches into another package's private modules or names."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import stockline

ROOT = Path(stockline.__file__).parent


def _is_public(module_name: str) -> bool:
    return not any(part.startswith("_") for part in module_name.split(".")[1:])


def public_modules() -> list[types.ModuleType]:
    """stockline and every public module under it (no segment starting with ``_``)."""
    names = ["stockline"] + [
        m.name
        for m in pkgutil.walk_packages(stockline.__path__, "stockline.")
        if _is_public(m.name)
    ]
    return [importlib.import_module(name) for name in names]


def _own(obj: object) -> bool:
    return getattr(obj, "__module__", "").split(".")[0] == "stockline"


def public_callables() -> Iterator[tuple[str, Callable[..., object]]]:
    """Every public function, and every public method and ``__init__`` of every public class,
    reachable through the ``__all__`` of a public module; each once, by its first name."""
    seen: set[int] = set()
    for module in public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not _own(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            where = f"{module.__name__}.{name}"
            if inspect.isclass(obj):
                yield where, obj  # the class's own annotations (its fields) too
                yield from _methods(where, obj, seen)
            elif callable(obj):
                yield where, obj


def _methods(where: str, cls: type, seen: set[int]) -> Iterator[tuple[str, Callable[..., object]]]:
    for klass in cls.__mro__:
        if not _own(klass):
            continue
        for attr, raw in vars(klass).items():
            if attr.startswith("_") and attr != "__init__":
                continue
            member = raw.__func__ if isinstance(raw, classmethod | staticmethod) else raw
            member = member.fget if isinstance(member, property) else member
            if not inspect.isfunction(member) or id(member) in seen:
                continue
            seen.add(id(member))
            yield f"{where}.{attr}", member


class TestSignaturesResolve:
    def test_there_is_a_public_surface_to_check(self) -> None:
        """The walk finds the facade and the packages' services (so the test below can fail)."""
        names = {where for where, _ in public_callables()}
        assert "stockline.Inventory.__init__" in names
        assert "stockline.ledger.boundary.code" in names
        assert len(names) > 300

    def test_get_type_hints_works_on_every_public_callable(self) -> None:
        """Every annotation of the public API names something importable at run time (no name
        only imported under TYPE_CHECKING), so tools that read hints at run time work."""
        failures = []
        for where, function in public_callables():
            try:
                typing.get_type_hints(function)
            except Exception as e:
                failures.append(f"{where}: {type(e).__name__}: {e}")
        assert not failures, "\n".join(sorted(failures))


# -- private imports -----------------------------------------------------------------------


def owner(module: str) -> str:
    """The top-level package a module belongs to: ``stockline.ledger`` for anything under
    ledger/, ``stockline`` itself for the modules at the root (``stockline._inventory``)."""
    parts = module.split(".")
    if len(parts) > 1 and (ROOT / parts[1]).is_dir():
        return ".".join(parts[:2])
    return "stockline"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports() -> Iterator[str]:
    """``module:line imported`` for each import of another package's private module or name."""
    for path in sorted(ROOT.rglob("*.py")):
        importer = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                base = node.module
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
                base = ""
            else:
                continue
            for target in targets:
                if target.split(".")[0] != "stockline":
                    continue
                package = owner(base or target)
                if package == owner(importer):
                    continue
                tail = target.removeprefix(package).split(".")[1:]
                if any(part.startswith("_") and not part.startswith("__") for part in tail):
                    yield f"{importer}:{node.lineno} {target}"


class TestNoPrivateImports:
    def test_owner(self) -> None:
        assert owner("stockline.ledger._master") == "stockline.ledger"
        assert owner("stockline.adapters.sqlalchemy._store") == "stockline.adapters"
        assert owner("stockline._inventory") == owner("stockline") == "stockline"

    def test_no_package_imports_another_packages_private_names(self) -> None:
        """A package uses another only through its public names (``from stockline.ledger import
        Item``, never ``stockline.ledger._master``); within one package anything goes."""
        found = list(private_imports())
        assert not found, f"{len(found)} private imports:\n" + "\n".join(found)
