"""A Griffe extension for the API reference: stockline's docstrings as mkdocstrings reads them.

The docstrings are Google style, written to read well in ``help()`` as well as on the site:

- Sphinx roles (:class:`~stockline.errors.StocklineError`, :meth:`Inventory.pick`) become
  code that links to the object when the site documents it (an *optional* autorefs
  cross-reference: no link and no warning when it does not);
- ``Example:`` sections are read as Griffe's ``Examples:`` (so ``>>>`` lines render as code);
- ``Args:`` of an attrs class documents its constructor, which Griffe does not see (attrs
  writes ``__init__`` at run time): it is read as ``Attributes:``, which is what the
  arguments become.

Loaded from mkdocs.yml (``extensions: [scripts/docs_griffe.py]``).
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|exc|data|obj):`(?P<tilde>~?)(?P<target>[\w.]+)`")
_EXAMPLE = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)
_ARGS = re.compile(r"^(?P<indent>[ \t]*)Args:[ \t]*$", re.MULTILINE)


def _is_attrs(cls: griffe.Class) -> bool:
    return any(str(d.value).split("(")[0].startswith("attrs.") for d in cls.decorators)


class SphinxToMarkdown(griffe.Extension):
    """Rewrite the docstring of every object once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is None:
            return
        text = _EXAMPLE.sub(r"\g<indent>Examples:", docstring.value)
        if isinstance(obj, griffe.Class) and _is_attrs(obj) and "__init__" not in obj.members:
            text = _ARGS.sub(r"\g<indent>Attributes:", text)
        docstring.value = _ROLE.sub(lambda m: _reference(obj, m), text)


def _reference(obj: griffe.Object, match: re.Match[str]) -> str:
    target = match["target"]
    shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
    identifier = target
    if not target.startswith("stockline"):
        # A name relative to where the docstring is: resolve it in that scope.
        head, _, rest = target.partition(".")
        scope = obj if isinstance(obj, griffe.Module | griffe.Class) else obj.parent
        try:
            identifier = scope.resolve(head) + (f".{rest}" if rest else "") if scope else target
        except griffe.NameResolutionError:
            identifier = target
    identifier = html.escape(identifier, quote=True)
    return (
        f'<autoref identifier="{identifier}" optional><code>{html.escape(shown)}</code></autoref>'
    )
