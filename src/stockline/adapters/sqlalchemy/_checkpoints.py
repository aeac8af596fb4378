"""Replaying the ledger in SQL, for :class:`SqlSession`: as-of balances from checkpoints, the
projection rebuilt by ranges of items (constant memory, with progress), and the
projection compared with the replay in the database, so only differences come back.

Checkpoints. Checkpoint *k* is taken after transaction ``X_k``: a snapshot of the non-zero
internal balances then (the fold of every transaction up to ``X_k``), with ``T_k`` the latest
effective time among those transactions, so every movement it holds is effective by ``T_k``.
The balance of internal stock as of a time ``t`` is then, for the last checkpoint *c* with
``T_c <= t``:

* the snapshot of *c*,
* plus the movements of the transactions after ``X_c`` up to the next checkpoint's ``X_{c+1}``
  (or the head) effective by ``t``: one interval of the ledger, read by primary key,
* plus the movements after ``X_{c+1}`` effective by ``t``. Each was posted after some
  checkpoint *k - 1* >= *c + 1* was taken yet is effective before ``T_{c+1} <= T_{k-1}``: it
  was back-dated behind that checkpoint. Taking checkpoint *k* records every such late
  movement of its interval (effective by ``T_{k-1}``) in ``sl_checkpoint_late``, so these are
  found by key too.

Nothing already written changes when a back-dated transaction is posted: it is an ordinary
row after the last checkpoint, and the next checkpoint records it as late. Answers with
``known_at`` (what was recorded by then) and lot-level answers (a lot's own movements are few,
found by index) fold the ledger as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from stockline.adapters.sqlalchemy import _codec as codec
from stockline.adapters.sqlalchemy import _schema as t
from stockline.ledger import Balance, BalanceQuery, LocationKind, PositionKey, to_micros

if TYPE_CHECKING:
    from stockline.adapters.sqlalchemy._session import SqlSession

__all__ = ["as_of_sides", "drift", "rebuild_projection", "replay", "take"]

#: Movements a rebuild folds per statement (a range of items; between two progress calls).
CHUNK = 100_000
#: Transactions between two checkpoints a rebuild takes, at least.
CHECKPOINT_SPACING = 100_000
#: How many checkpoints a rebuild spreads over the ledger's history (at most one per
#: ``CHECKPOINT_SPACING`` transactions, plus one at the head). Each holds every non-zero
#: internal balance, so they are kept few: an as-of answer for an item reads the item's index
#: from its checkpoint on, not a span of the ledger, so sparse checkpoints cost it little.
REBUILD_CHECKPOINTS = 16

_KEY = ("item_id", "lot_id", "serial", "location_id", "status_id", "container_id")
#: The internal locations: the only ones a checkpoint's snapshot holds.
_INTERNAL_IDS = sa.select(t.locations.c.id).where(t.locations.c.kind == LocationKind.INTERNAL.value)


def _sides() -> sa.Subquery:
    """Both sides of every movement as signed rows."""
    from stockline.adapters.sqlalchemy._session import _SIDES, _side

    return sa.union_all(*(_side(*columns) for columns in _SIDES)).subquery("sides")


def _fold(sides: sa.Subquery) -> sa.Select[Any]:
    keys = [sides.c[c] for c in _KEY]
    return sa.select(
        *keys,
        sa.func.sum(sides.c.qty).label("qty"),
        sa.func.max(sides.c.effective_at).label("last_at"),
    ).group_by(*keys)


def replay(s: SqlSession) -> Iterator[Balance]:
    """See :meth:`~stockline.adapters.LedgerReader.replay`: streamed from one grouped query."""
    s.flush()
    grouped = _fold(_sides()).subquery()
    result = s._conn.execute(sa.select(grouped).where(grouped.c.qty != 0))
    while rows := result.fetchmany(10_000):
        yield from s._balances_from(rows)


def rebuild_projection(s: SqlSession, progress: Callable[[int], None] | None = None) -> None:
    """Replace ``sl_balances`` with the fold of the ledger, and the checkpoints with
    ``REBUILD_CHECKPOINTS`` spread over its history.

    The ledger is folded by ranges of items of about ``CHUNK`` movements each, in item order:
    both sides of a movement belong to its item, so each range's balances follow the ones
    before it in the projection's key order and the projection and the snapshots are
    appended to. (A range of transactions holds most items in a warehouse, so folding by
    those rewrote pages all over the projection for every range.) Each
    range is grouped once in the database into a scratch table with one running sum per
    checkpoint, so memory stays flat however long the ledger, and ``progress`` hears, in
    transactions, how far the fold got. Zero rows are kept, as the incremental projection
    keeps them.
    """
    s.flush()
    head = int(s.head()[0])
    for table in (t.balances, t.checkpoint_late, t.checkpoint_balances, t.checkpoints):
        s._conn.execute(sa.delete(table))
    s._absent.clear()
    s._base.clear()
    spacing = CHECKPOINT_SPACING
    every = max(1, -(-head // (REBUILD_CHECKPOINTS * spacing))) * spacing
    throughs = [*range(every, head, every), head] if head else []
    checkpoint_ids = _checkpoint_rows(s, throughs)
    mv = t.movements
    counts = s._conn.execute(
        sa.select(mv.c.item_id, sa.func.count()).group_by(mv.c.item_id).order_by(mv.c.item_id)
    ).all()
    total = sum(int(n) for _, n in counts)
    scratch = _scratch_table(len(throughs))
    scratch.create(s._conn)
    told = folded = 0
    for first, last, movements in _item_ranges(counts, CHUNK):
        s._conn.execute(sa.delete(scratch))
        s._conn.execute(
            sa.insert(scratch).from_select(
                [c.name for c in scratch.c], _fold_items(first, last, throughs)
            )
        )
        keys = [scratch.c[c] for c in _KEY]
        s._conn.execute(
            sa.insert(t.balances).from_select(
                [*_KEY, "qty", "last_at"], sa.select(*keys, scratch.c.qty, scratch.c.last_at)
            )
        )
        for n, checkpoint_id in enumerate(checkpoint_ids):
            qty = scratch.c[f"upto_{n}"]
            s._conn.execute(
                sa.insert(t.checkpoint_balances).from_select(
                    ["checkpoint_id", *_KEY, "qty"],
                    sa.select(sa.literal(checkpoint_id, sa.Integer), *keys, qty).where(
                        qty != 0, scratch.c.location_id.in_(_INTERNAL_IDS)
                    ),
                )
            )
        folded += movements
        if progress is not None and total:
            step = head * folded // total - told
            told += step
            progress(step)
    scratch.drop(s._conn)
    if progress is not None and told < head:
        progress(head - told)  # transactions without movements (container events only)
    _rebuild_container_state(s)


def _item_ranges(counts: Sequence[Any], size: int) -> Iterator[tuple[int, int, int]]:
    """Consecutive ranges ``(first item id, last item id, movements)`` of about ``size``
    movements each, from ``(item id, movements)`` rows in item order; an item with more
    movements than ``size`` is a range of its own."""
    first = last = None
    movements = 0
    for item_id, n in counts:
        if first is not None and movements + int(n) > size:
            assert last is not None
            yield first, last, movements
            first, movements = None, 0
        if first is None:
            first = int(item_id)
        last = int(item_id)
        movements += int(n)
    if first is not None and last is not None:
        yield first, last, movements


def _scratch_table(checkpoints: int) -> sa.Table:
    """A temporary table for one range's fold: the key, the sum, the latest effective time,
    and the sum up to each checkpoint (``upto_0``, ``upto_1``, …)."""
    return sa.Table(
        "sl_rebuild_fold",
        sa.MetaData(),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("lot_id", sa.Integer, nullable=False),
        sa.Column("serial", sa.String, nullable=False),
        sa.Column("location_id", sa.Integer, nullable=False),
        sa.Column("status_id", sa.Integer, nullable=False),
        sa.Column("container_id", sa.Integer, nullable=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
        *(sa.Column(f"upto_{n}", sa.BigInteger, nullable=False) for n in range(checkpoints)),
        prefixes=["TEMPORARY"],
    )


def _fold_items(first: int, last: int, throughs: Sequence[int]) -> sa.Select[Any]:
    """Both sides of the movements of items ``first..last``, grouped by balance key: the
    sum, the latest effective time, and the sum of the transactions up to each of
    ``throughs``. Each movement is read once, joined to its two signs."""
    mv = t.movements
    sides = sa.union_all(
        *(sa.select(sa.literal_column(sign, sa.Integer).label("sign")) for sign in ("1", "-1"))
    ).subquery("sides")
    dst = sides.c.sign == 1
    qty = mv.c.qty * sides.c.sign
    keys = [
        mv.c.item_id,
        mv.c.lot_id,
        mv.c.serial,
        sa.case((dst, mv.c.dst_loc), else_=mv.c.src_loc),
        sa.case((dst, mv.c.dst_status), else_=mv.c.src_status),
        sa.case((dst, mv.c.dst_container), else_=mv.c.src_container),
    ]
    return (
        sa.select(
            *keys,
            sa.func.sum(qty),
            sa.func.max(mv.c.effective_at),
            *(sa.func.sum(sa.case((mv.c.tx_id <= through, qty), else_=0)) for through in throughs),
        )
        .select_from(mv.join(sides, sa.true()))
        .where(mv.c.item_id >= first, mv.c.item_id <= last)
        .group_by(*keys)
    )


# -- checkpoints -------------------------------------------------------------------------


def take(s: SqlSession) -> int:
    """Take a checkpoint after the last transaction (none if one is there already); return
    the id of the transaction it is taken after."""
    s.flush()
    return _take(s, int(s.head()[0]))


def _take(s: SqlSession, through: int) -> int:
    """Checkpoint the projection, which must be the fold of transactions up to ``through``."""
    cp = t.checkpoints
    after = int(
        s._conn.execute(sa.select(sa.func.coalesce(sa.func.max(cp.c.through_tx), 0))).scalar_one()
    )
    if through <= after:
        return after
    [new_id] = _checkpoint_rows(s, [through])
    b = t.balances
    s._conn.execute(
        sa.insert(t.checkpoint_balances).from_select(
            ["checkpoint_id", *_KEY, "qty"],
            sa.select(sa.literal(new_id, sa.Integer), *(b.c[c] for c in _KEY), b.c.qty).where(
                b.c.qty != 0, b.c.location_id.in_(_INTERNAL_IDS)
            ),
        )
    )
    return through


def _checkpoint_rows(s: SqlSession, throughs: Sequence[int]) -> list[int]:
    """Record checkpoints after each of ``throughs`` (ascending, after the newest checkpoint),
    each with the movements of its interval effective by the cutoff of the checkpoint before
    it; return their ids. Their snapshots of the balances are the caller's to write."""
    cp, tx, mv = t.checkpoints, t.transactions, t.movements
    last = s._conn.execute(
        sa.select(cp.c.through_tx, cp.c.cutoff).order_by(cp.c.id.desc()).limit(1)
    ).first()
    after, cutoff = (0, None) if last is None else (int(last.through_tx), int(last.cutoff))
    ids = []
    for through in throughs:
        newest = int(
            s._conn.execute(
                sa.select(sa.func.max(tx.c.effective_at)).where(tx.c.id > after, tx.c.id <= through)
            ).scalar_one()
        )
        cp_id = s._conn.execute(
            sa.insert(cp).values(
                through_tx=through, cutoff=newest if cutoff is None else max(cutoff, newest)
            )
        ).inserted_primary_key
        assert cp_id is not None
        new_id = int(cp_id[0])
        if cutoff is not None:
            # Movements of this interval effective by the previous checkpoint's cutoff.
            s._conn.execute(
                sa.insert(t.checkpoint_late).from_select(
                    ["tx_id", "line", "checkpoint_id"],
                    sa.select(mv.c.tx_id, mv.c.line, sa.literal(new_id, sa.Integer)).where(
                        mv.c.tx_id > after, mv.c.tx_id <= through, mv.c.effective_at <= cutoff
                    ),
                )
            )
        ids.append(new_id)
        after, cutoff = through, newest if cutoff is None else max(cutoff, newest)
    return ids


def as_of_sides(s: SqlSession, query: BalanceQuery) -> sa.Subquery | None:
    """Signed balance rows whose sum per key is the internal balance as of ``query.as_of``,
    from the nearest checkpoint (see the module's docstring); ``None`` when no checkpoint
    applies (then the caller folds the ledger up to that time)."""
    if (
        query.as_of is None
        or query.known_at is not None
        or not query.internal_only
        or (query.item is not None and query.lot is not None)
    ):
        return None
    cp = t.checkpoints
    until = to_micros(query.as_of)
    later = cp.alias("later")
    found = s._conn.execute(
        sa.select(
            cp.c.id,
            cp.c.through_tx,
            cp.c.cutoff,
            sa.select(sa.func.min(later.c.through_tx))
            .where(later.c.id > cp.c.id)
            .scalar_subquery()
            .label("following"),
            sa.select(sa.func.max(later.c.through_tx)).scalar_subquery().label("newest"),
        )
        .where(cp.c.cutoff <= until)
        .order_by(cp.c.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    base, cutoff, last = int(found.through_tx), int(found.cutoff), int(found.newest)
    following = found.following
    cb = t.checkpoint_balances
    where = s._filters(
        query,
        (
            cb.c.item_id,
            cb.c.lot_id,
            cb.c.serial,
            cb.c.location_id,
            cb.c.status_id,
            cb.c.container_id,
        ),
    )
    if where is None:
        return None
    selects: list[sa.Select[Any]] = [
        sa.select(
            *(cb.c[c].label(c) for c in _KEY),
            cb.c.qty.label("qty"),
            sa.literal(0, sa.BigInteger).label("effective_at"),
        ).where(cb.c.checkpoint_id == found.id, *where)
    ]
    mv = t.movements
    for side in _SIDE_COLUMNS:
        side_where = s._filters(query, side[:6])
        # The same conditions on "item_id + 0", "lot_id + 0" and "location + 0", which no
        # index serves: for the parts read by transaction id (late rows, the tail), so the
        # planner drives them by key, not through the item's or the locations' whole history.
        by_key = s._filters(query, (side[0] + 0, side[1] + 0, side[2], side[3] + 0, *side[4:6]))
        if side_where is None or by_key is None:
            return None
        row = (
            *(c.label(name) for c, name in zip(side[:6], _KEY, strict=True)),
            (mv.c.qty * side[6]).label("qty"),
            mv.c.effective_at.label("effective_at"),
        )
        if query.item is not None:
            # The item's movements effective after the checkpoint's cutoff (its index holds
            # the effective time), posted by the newest checkpoint; then the late ones of the
            # intervals since, effective by the cutoff.
            selects.append(
                sa.select(*row).where(
                    mv.c.effective_at > cutoff,
                    mv.c.effective_at <= until,
                    mv.c.tx_id <= last,
                    *side_where,
                )
            )
            selects.append(sa.select(*row).where(_late(base), mv.c.effective_at <= cutoff, *by_key))
        else:
            # The interval up to the next checkpoint by key; then the late ones after it.
            upto = last if following is None else int(following)
            selects.append(
                sa.select(*row).where(
                    mv.c.tx_id > base,
                    mv.c.tx_id <= upto,
                    mv.c.effective_at <= until,
                    *by_key,
                )
            )
            selects.append(sa.select(*row).where(_late(upto), mv.c.effective_at <= until, *by_key))
        # Whatever was posted after the newest checkpoint (none of it recorded yet).
        selects.append(
            sa.select(*row).where(mv.c.tx_id > last, mv.c.effective_at <= until, *by_key)
        )
    return sa.union_all(*selects).subquery("sides")


def _late(after: int) -> sa.ColumnElement[bool]:
    """Movements recorded as late, posted after transaction ``after``: looked up by key from
    the (few) rows of ``sl_checkpoint_late``."""
    late, mv = t.checkpoint_late, t.movements
    return sa.tuple_(mv.c.tx_id, mv.c.line).in_(
        sa.select(late.c.tx_id, late.c.line).where(late.c.tx_id > after)
    )


_M = t.movements
#: Each side of a movement: its key columns and the sign of its quantity.
_SIDE_COLUMNS = (
    (_M.c.item_id, _M.c.lot_id, _M.c.serial, _M.c.dst_loc, _M.c.dst_status, _M.c.dst_container, 1),
    (_M.c.item_id, _M.c.lot_id, _M.c.serial, _M.c.src_loc, _M.c.src_status, _M.c.src_container, -1),
)


def _rebuild_container_state(s: SqlSession) -> None:
    ev, cs = t.container_events, t.container_state
    latest = (
        sa.select(ev.c.container_id, sa.func.max(ev.c.tx_id * 100_000 + ev.c.seq).label("at"))
        .group_by(ev.c.container_id)
        .subquery()
    )
    s._conn.execute(sa.delete(cs))
    s._conn.execute(
        sa.insert(cs).from_select(
            ["container_id", "parent_id", "location_id"],
            sa.select(ev.c.container_id, ev.c.parent_id, ev.c.location_id).join(
                latest,
                (latest.c.container_id == ev.c.container_id)
                & (latest.c.at == ev.c.tx_id * 100_000 + ev.c.seq),
            ),
        )
    )


# -- checking --------------------------------------------------------------------------


def drift(s: SqlSession, limit: int) -> list[tuple[PositionKey, Decimal, Decimal]]:
    """See :meth:`~stockline.adapters.LedgerReader.projection_drift`: the stored projection
    and the fold of the ledger compared in the database, only the differing keys returned.

    Both sides of every movement and every stored balance, negated, are grouped by key in
    one pass: a key whose sum is not zero is one where the projection differs from the fold.
    (Folding first and joining the fold to the projection both ways cost twice as much:
    the fold and the projection were each materialised and indexed for the joins.) Only for
    the differing keys is the stored quantity then read.
    """
    from stockline.adapters.sqlalchemy._session import _SIDES, _side

    s.flush()
    b = t.balances
    stored = sa.select(
        *(b.c[c] for c in _KEY), (b.c.qty * -1).label("qty"), b.c.last_at.label("effective_at")
    )
    sides = sa.union_all(*(_side(*columns) for columns in _SIDES), stored).subquery("sides")
    keys = [sides.c[c] for c in _KEY]
    difference = sa.func.sum(sides.c.qty)
    rows = s._conn.execute(
        sa.select(*keys, difference.label("difference"))
        .group_by(*keys)
        .having(difference != 0)
        .limit(limit)
    ).all()
    for kind, index in (("item", 0), ("lot", 1), ("location", 3), ("status", 4), ("container", 5)):
        s._load_names(kind, (r[index] for r in rows))
    found = []
    for row in rows:
        kept = s._conn.execute(
            sa.select(b.c.qty).where(*(b.c[c] == v for c, v in zip(_KEY, row[:6], strict=True)))
        ).scalar()
        have = int(kept or 0)
        want = have + int(row.difference)
        found.append((s._key_of(row), codec.from_qty(have), codec.from_qty(want)))
    return sorted(found, key=lambda d: tuple(map(str, d[0])))
