#!/usr/bin/env bash
# Set up (or reuse) .venv with the development extras, then run every check the project has:
# ruff (lint and format), mypy --strict, the import contracts in pyproject.toml, the documentation
# build, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'

echo "== ruff"
.venv/bin/ruff check src tests examples bench scripts
.venv/bin/ruff format --check src tests examples bench scripts
echo "== mypy --strict"
.venv/bin/mypy
echo "== import contracts (lint-imports)"
.venv/bin/lint-imports --no-cache
if [ -f mkdocs.yml ]; then
  echo "== docs (mkdocs build --strict)"
  NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir "$(mktemp -d)"
fi
echo "== pytest"
.venv/bin/pytest -n auto -q "$@"
