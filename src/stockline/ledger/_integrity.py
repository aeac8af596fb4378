"""Integrity checks: the hash chain and the projection against a replay of the ledger."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import attrs

from stockline.errors import IntegrityError
from stockline.ledger._collector import collector_paused
from stockline.ledger._hashing import GENESIS_HASH, chain_hash
from stockline.ledger._store import ChainReader, LedgerReader

__all__ = ["IntegrityReport", "Problem", "check_projection", "verify_chain"]

#: Stop listing problems after this many; the first is what matters.
MAX_PROBLEMS = 100


@attrs.frozen(kw_only=True)
class Problem:
    """One thing found wrong.

    Attributes:
        kind: ``altered`` (content does not match its hash), ``missing`` (an id is absent),
            ``unlinked`` (its ``prev_hash`` is not the previous transaction's hash) or
            ``projection`` (a stored balance differs from the replay of the ledger).
        transaction_id: The transaction concerned, for chain problems.
        detail: What exactly differs.
    """

    kind: str
    transaction_id: int | None
    detail: str


@attrs.frozen(kw_only=True)
class IntegrityReport:
    """The result of :meth:`stockline.Inventory.verify`.

    Attributes:
        transactions: How many transactions were checked.
        head_hash: The hash of the last transaction. Keep it somewhere else (a log, a
            signed receipt): a ledger rewritten wholesale, hashes and all, still verifies
            against itself, but not against a head hash you kept.
        problems: What was found wrong, first problem first.
    """

    transactions: int
    head_hash: str
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.problems

    @property
    def first_bad_transaction(self) -> int | None:
        """The id of the first transaction found altered, missing or unlinked."""
        return next((p.transaction_id for p in self.problems if p.transaction_id), None)

    def raise_for_problems(self) -> None:
        """Raise :class:`~stockline.errors.IntegrityError` naming the first problem, if any."""
        if self.problems:
            first = self.problems[0]
            raise IntegrityError(
                transaction_id=first.transaction_id,
                detail=first.detail,
                problems=len(self.problems),
            )


def verify_chain(
    reader: LedgerReader,
    *,
    batch: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, str, list[Problem]]:
    """Walk the whole chain in id order; return (count, head hash, problems).

    Reads ``batch`` transactions at a time so memory stays flat however long the ledger.
    """
    problems: list[Problem] = []
    expected_id, prev_hash, count = 1, GENESIS_HASH, 0
    page = reader.chain_links if isinstance(reader, ChainReader) else partial(_links, reader)
    while True:
        with collector_paused():  # a page is thousands of short-lived records or texts
            chunk = page(after=expected_id - 1, limit=batch)
        if not chunk:
            break
        for tx_id, linked_to, stored, computed in chunk:
            if tx_id != expected_id:
                missing = (
                    f"{expected_id}" if tx_id == expected_id + 1 else f"{expected_id}–{tx_id - 1}"
                )
                problems.append(
                    Problem(
                        kind="missing",
                        transaction_id=expected_id,
                        detail=f"transaction(s) {missing} are missing before {tx_id}",
                    )
                )
            if linked_to != prev_hash:
                problems.append(
                    Problem(
                        kind="unlinked",
                        transaction_id=tx_id,
                        detail=f"transaction {tx_id} does not link to the one before it",
                    )
                )
            if computed != stored:
                problems.append(
                    Problem(
                        kind="altered",
                        transaction_id=tx_id,
                        detail=f"transaction {tx_id} does not match its hash: it was altered",
                    )
                )
            expected_id, prev_hash, count = tx_id + 1, stored, count + 1
            if len(problems) >= MAX_PROBLEMS:
                return count, prev_hash, problems
        if progress is not None:
            progress(len(chunk))
    head_id, _head_hash = reader.head()
    if head_id != expected_id - 1:
        problems.append(
            Problem(
                kind="missing",
                transaction_id=expected_id,
                detail=f"the ledger head says {head_id} transactions, {expected_id - 1} found",
            )
        )
    return count, prev_hash, problems


def _links(reader: LedgerReader, *, after: int, limit: int) -> list[tuple[int, str, str, str]]:
    """:meth:`ChainReader.chain_links` for a store that does not offer it."""
    return [
        (tx.id, tx.prev_hash, tx.hash, chain_hash(tx))
        for tx in reader.transactions(after=after, limit=limit)
    ]


def check_projection(reader: LedgerReader) -> list[Problem]:
    """Compare every stored balance with the fold of the ledger's movements.

    The store does the comparison (a SQL store in the database), so only the differences, at
    most ``MAX_PROBLEMS`` of them, come back.
    """
    problems = []
    for key, have, want in reader.projection_drift(limit=MAX_PROBLEMS):
        item, lot, serial, location, status, container = key
        problems.append(
            Problem(
                kind="projection",
                transaction_id=None,
                detail=(
                    f"balance of {item} lot={lot} serial={serial} at {location} [{status}]"
                    f"{f' in {container}' if container else ''} is {have} in the projection "
                    f"but {want} in the ledger"
                ),
            )
        )
    return problems
