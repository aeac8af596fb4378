"""The conformance suite, part three: operational documents (versioned JSON state)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stockline import Inventory, errors
from stockline.ledger import FixedClock, LedgerWriter, StockStore
from stockline.testing._base import ContractBase
from stockline.testing._contract_rules import _BoomError, failing_block
from stockline.testing._setup import START

__all__ = ["DocumentContract"]

_BODY = {"lines": [{"sku": "BOLT", "qty": "5", "counted": None}], "blind": True, "n": 3}


class DocumentContract(ContractBase):
    def test_documents_round_trip_and_versions(
        self, contract_inv: Inventory, store: StockStore, contract_clock: FixedClock
    ) -> None:
        """Documents: a document reads back as written, with version 1 on creation and one
        more per change, the time and the actor of the last change."""
        with store.write() as w:
            made = w.put_document("count", "C-1", _BODY, version=0, actor="ann", at=START)
        assert (made.version, made.body, made.actor) == (1, _BODY, "ann")
        contract_clock.advance(minutes=5)
        with store.write() as w:
            changed = w.put_document(
                "count", "C-1", {**_BODY, "n": 4}, version=1, actor="bob", at=contract_clock.now()
            )
        with store.read() as r:
            read = r.document("count", "C-1")
            assert r.document("count", "C-2") is None
            assert r.document("rule", "C-1") is None, "kinds are separate namespaces"
        assert read == changed
        assert (read.version, read.body["n"], read.actor) == (2, 4, "bob")
        assert read.updated_at == contract_clock.now()

    def test_documents_stale_version_is_refused(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Documents: a change based on another version than the stored one (or creating one
        that exists) raises StaleDocumentError and changes nothing."""
        with store.write() as w:
            w.put_document("count", "C-1", _BODY, version=0, actor=None, at=START)
        for version in (0, 2):
            with pytest.raises(errors.StaleDocumentError) as caught, store.write() as w:
                w.put_document("count", "C-1", {"other": 1}, version=version, actor=None, at=START)
            assert (caught.value.expected, caught.value.found) == (version, 1)
        with pytest.raises(errors.StaleDocumentError), store.write() as w:
            w.delete_document("count", "C-1", version=3)
        with pytest.raises(errors.StaleDocumentError), store.write() as w:
            w.delete_document("count", "nope", version=1)
        with store.read() as r:
            doc = r.document("count", "C-1")
        assert doc is not None
        assert (doc.version, doc.body) == (1, _BODY)

    def test_documents_listing_and_delete(self, contract_inv: Inventory, store: StockStore) -> None:
        """Documents: a kind lists its documents ordered by key, filtered by key prefix;
        a deleted document is gone and its key can be created again (based on version 0)."""
        with store.write() as w:
            for key in ("B-2", "A-1", "B-1", "B_3", "C%"):
                w.put_document("count", key, {"key": key}, version=0, actor=None, at=START)
            w.put_document("rule", "B-9", {}, version=0, actor=None, at=START)
        with store.read() as r:
            assert [d.key for d in r.documents("count")] == ["A-1", "B-1", "B-2", "B_3", "C%"]
            assert [d.key for d in r.documents("count", prefix="B-")] == ["B-1", "B-2"]
            assert [d.key for d in r.documents("count", prefix="C%")] == ["C%"]
            assert r.documents("other") == []
        with store.write() as w:
            w.delete_document("count", "B-1", version=1)
            again = w.put_document("count", "B-1", {"new": True}, version=0, actor=None, at=START)
        assert again.version == 3, "created, deleted, created again: versions go on"
        with store.read() as r:
            assert [d.body for d in r.documents("count", prefix="B-1")] == [{"new": True}]

    def test_documents_versions_never_repeat_for_a_key(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Documents: a key deleted and created again goes on counting versions, so a
        writer holding a version of the old document cannot overwrite the new one."""
        with store.write() as w:
            old = w.put_document("rule", "R-1", {"max": 10}, version=0, actor=None, at=START)
            w.delete_document("rule", "R-1", version=old.version)
            new = w.put_document("rule", "R-1", {"max": 20}, version=0, actor=None, at=START)
        assert new.version > old.version
        with pytest.raises(errors.StaleDocumentError), store.write() as w:
            w.put_document("rule", "R-1", {"max": 5}, version=old.version, actor=None, at=START)
        with store.read() as r:
            kept = r.document("rule", "R-1")
            listed = r.documents("rule")
        assert kept == new
        assert listed == [new]

    def test_documents_are_atomic_with_the_block(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Documents: what a write block that fails did to documents is undone with the
        rest of the block."""
        with store.write() as w:
            w.put_document("count", "C-1", _BODY, version=0, actor=None, at=START)

        def work(w: LedgerWriter) -> None:
            w.put_document("count", "C-1", {"changed": True}, version=1, actor=None, at=START)
            w.put_document("count", "C-2", {"new": True}, version=0, actor=None, at=START)
            w.delete_document("count", "C-1", version=2)

        with pytest.raises(_BoomError):
            failing_block(store, work)
        with store.read() as r:
            assert [(d.key, d.version, d.body) for d in r.documents("count")] == [("C-1", 1, _BODY)]

    def test_documents_refuse_values_json_would_change(
        self, contract_inv: Inventory, store: StockStore
    ) -> None:
        """Documents: a body holding a value JSON does not give back exactly (floats,
        decimals, datetimes, non-string keys) is refused with ValidationError, naming where."""
        for bad in (1.5, Decimal("1.5"), START, {1: "x"}, object()):
            with pytest.raises(errors.ValidationError, match=r"body\.x"), store.write() as w:
                w.put_document("count", "C-1", {"x": bad}, version=0, actor=None, at=START)
        with store.read() as r:
            assert r.document("count", "C-1") is None

    def test_documents_survive_reopening(
        self, contract_inv: Inventory, contract_clock: FixedClock
    ) -> None:
        """Documents: a store opened again on the same data has the same documents."""
        if not self.supports_persistence:
            pytest.skip(f"{type(self).__name__} does not claim supports_persistence")
        store = contract_inv.store
        with store.write() as w:
            written = w.put_document("count", "C-1", _BODY, version=0, actor="ann", at=START)
        store.close()
        again = self.reopen(store)
        try:
            with again.read() as r:
                assert r.document("count", "C-1") == written
        finally:
            again.close()
