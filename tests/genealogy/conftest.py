"""Fixtures of the genealogy tests (the shared ones live in tests/conftest.py)."""
