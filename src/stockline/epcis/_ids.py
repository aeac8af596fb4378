"""Identifiers in an EPCIS export: GS1 keys as Digital Link or EPC URIs, else private URIs."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping
from urllib.parse import quote

import attrs

from stockline.epcis._hash import mod10
from stockline.epcis._options import EpcisOptions, is_gln
from stockline.errors import EpcisExportError
from stockline.ledger import Item, Location, MasterChange, Party, Reference, parent_paths

__all__ = ["MasterHistory", "Names"]

# GS1 AI 10/21/254 values: 1 to 20 characters of GS1 character set 82.
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def _escape(text: str) -> str:
    # EPC URIs (TDS) escape these characters of GS1 character set 82.
    for char, code in (("%", "%25"), ('"', "%22"), ("&", "%26"), ("/", "%2F")):
        text = text.replace(char, code)
    return text.replace("<", "%3C").replace(">", "%3E").replace("?", "%3F")


#: Per entity of the change log: the field naming the record, and the field events show.
_TRACKED = {
    "item": (("sku",), "gtin"),
    "location": (("path",), "gln"),
    "party": (("code",), "gln"),
    "lot": (("item", "code"), "expiry"),
}


@attrs.frozen
class _Timeline:
    """The values one field took, oldest first, each with the time it took it."""

    times: list[dt.datetime]
    values: list[str | None]

    def at(self, when: dt.datetime) -> str | None:
        """The value in force at ``when``: the last one set at or before it, else the earliest
        known (the record was created with it)."""
        index = bisect_right(self.times, when)
        return self.values[index - 1 if index else 0]


class MasterHistory:
    """The master data events show (item GTINs, location and party GLNs, lot expiry dates) as
    it was at any time, from the master-data change log.

    Only records whose value of those fields changed are kept, so memory grows with the
    master data changes, never with transactions (nor with lots that kept their expiry).
    """

    def __init__(self, changes: Iterable[MasterChange]) -> None:
        found: dict[tuple[str, Hashable], list[tuple[dt.datetime, str | None]]] = {}
        for change in changes:
            tracked = _TRACKED.get(change.entity)
            if tracked is None:
                continue
            names, field = tracked
            fields = dict(change.fields)
            if field not in fields or any(name not in fields for name in names):
                continue
            key: Hashable = fields[names[0]] if len(names) == 1 else tuple(fields[n] for n in names)
            found.setdefault((change.entity, key), []).append((change.at, _value(field, fields)))
        self._lines: dict[tuple[str, Hashable], _Timeline] = {}
        changed: list[dt.datetime] = []
        for record, entries in found.items():
            entries.sort(key=lambda entry: entry[0])  # stable: same instant keeps log order
            times: list[dt.datetime] = []
            values: list[str | None] = []
            for when, value in entries:
                if times and times[-1] == when:
                    # Changed twice at one instant: the later change holds from then on.
                    times.pop()
                    values.pop()
                if values and values[-1] == value:
                    continue
                if values:
                    changed.append(when)
                times.append(when)
                values.append(value)
            if len(values) > 1:
                # A record whose value never changed has today's value at every time.
                self._lines[record] = _Timeline(times, values)
        #: When any tracked value changed (the first value of each record excluded), sorted.
        self._changed = sorted(changed)

    def value(
        self, entity: str, key: Hashable, when: dt.datetime, current: str | None
    ) -> str | None:
        """The ``entity`` record's tracked field at ``when``; ``current`` (today's value) if
        the change log shows no change of it."""
        line = self._lines.get((entity, key))
        return current if line is None else line.at(when)

    def epoch(self, when: dt.datetime | None) -> int:
        """How many tracked values changed up to ``when`` (all of them for ``None``): two
        times with the same epoch see the same master data."""
        return len(self._changed) if when is None else bisect_right(self._changed, when)


def _value(field: str, fields: Mapping[str, str]) -> str | None:
    text = fields[field]
    if text == "None":
        return None
    return dt.date.fromisoformat(text).isoformat() if field == "expiry" else text


class Names:
    """Turns items, lots, serials, containers, locations, parties and documents into URIs.

    Built once per export from the master data; URIs that repeat (item classes, locations)
    are cached, so memory grows with master data and lots, never with transactions. GTINs
    and GLNs are those in force at the time set with :meth:`at` (today's by default).
    """

    def __init__(
        self,
        options: EpcisOptions,
        items: Mapping[str, Item],
        locations: Mapping[str, Location],
        parties: Mapping[str, Party],
        history: MasterHistory | None = None,
    ) -> None:
        self.options = options
        self.items = items
        self.locations = locations
        self.parties = parties
        self.history = MasterHistory(()) if history is None else history
        self._when: dt.datetime | None = None
        self._epoch = self.history.epoch(None)
        self._sep = options.private_base[-1]
        self._dl = options.identifiers == "digital_link"
        self._classes: dict[tuple[str, str | None], str] = {}
        self._places: dict[str, str] = {}
        self._containers: dict[str, str] = {}

    def at(self, when: dt.datetime | None) -> None:
        """Name things with the master data as it was at ``when`` (today's for ``None``)."""
        self._when = when
        epoch = self.history.epoch(when)
        if epoch != self._epoch:
            self._epoch = epoch
            self._classes.clear()
            self._places.clear()

    def as_of(self, entity: str, key: Hashable, current: str | None) -> str | None:
        """A record's GTIN, GLN or expiry at the time set with :meth:`at`; ``current`` is its
        value today."""
        if self._when is None:
            return current
        return self.history.value(entity, key, self._when, current)

    def gtin(self, sku: str) -> str | None:
        """The item's GTIN at the time set with :meth:`at`."""
        return self.as_of("item", sku, self.items[sku].gtin)

    # -- trade items -----------------------------------------------------------------------

    def item_class(self, sku: str, lot: str | None) -> str:
        """The class identifier of a lot (LGTIN) or of an item without lots (GTIN class)."""
        key = (sku, lot)
        uri = self._classes.get(key)
        if uri is None:
            uri = self._classes[key] = self._item_class(sku, lot)
        return uri

    def _item_class(self, sku: str, lot: str | None) -> str:
        gtin = self.gtin(sku)
        if gtin is None or (lot is not None and not _CSET82.match(lot)):
            parts = ["item", sku] if lot is None else ["item", sku, "lot", lot]
            return self.private(*parts)
        if self._dl:
            base = f"{self.options.digital_link_base}/01/{gtin}"
            return base if lot is None else f"{base}/10/{quote(lot, safe='')}"
        prefix, reference = self._gtin_parts(gtin)
        if lot is None:
            return f"urn:epc:idpat:sgtin:{prefix}.{reference}.*"
        return f"urn:epc:class:lgtin:{prefix}.{reference}.{_escape(lot)}"

    def instance(self, sku: str, serial: str) -> str:
        """The instance identifier of one serial (SGTIN)."""
        gtin = self.gtin(sku)
        if gtin is None or not _CSET82.match(serial):
            return self.private("item", sku, "serial", serial)
        if self._dl:
            return f"{self.options.digital_link_base}/01/{gtin}/21/{quote(serial, safe='')}"
        prefix, reference = self._gtin_parts(gtin)
        return f"urn:epc:id:sgtin:{prefix}.{reference}.{_escape(serial)}"

    def _gtin_parts(self, gtin: str) -> tuple[str, str]:
        length = self._prefix_length(gtin[1:], f"GTIN {gtin}")
        return gtin[1 : 1 + length], gtin[0] + gtin[1 + length : 13]

    # -- logistic units, places, parties, documents ----------------------------------------

    def container(self, code: str) -> str:
        """The identifier of a container: its SSCC, or a private URI for other codes."""
        uri = self._containers.get(code)
        if uri is None:
            uri = self._containers[code] = self._container(code)
        return uri

    def _container(self, code: str) -> str:
        if not (len(code) == 18 and code.isdigit() and code.isascii()):
            return self.private("container", code)
        if mod10(code[:17]) != code[17]:
            return self.private("container", code)
        if self._dl:
            return f"{self.options.digital_link_base}/00/{code}"
        length = self._prefix_length(code[1:], f"SSCC {code}")
        return f"urn:epc:id:sscc:{code[1 : 1 + length]}.{code[0]}{code[1 + length : 17]}"

    def location(self, path: str) -> str:
        """The identifier of a location: its GLN (SGLN), the nearest ancestor's GLN with the
        rest of the path as GLN extension (AI 254), or a private URI (also for the extension
        ``0``, which an SGLN reads as the GLN itself)."""
        uri = self._places.get(path)
        if uri is None:
            uri = self._places[path] = self._location(path)
        return uri

    def _location(self, path: str) -> str:
        for ancestor in [path, *reversed(parent_paths(path))]:
            location = self.locations.get(ancestor)
            if location is None:
                continue
            gln = self.as_of("location", ancestor, location.gln)
            if gln is None:
                continue
            if not is_gln(gln):
                raise EpcisExportError(
                    f"location {ancestor} has GLN {gln!r}, which is not 13 digits with "
                    "a valid check digit; correct it before exporting"
                )
            extension = None if ancestor == path else path[len(ancestor) + 1 :]
            # An SGLN extension "0" is the GLN itself (TDS), so it cannot name a sublocation.
            if extension is not None and (extension == "0" or not _CSET82.match(extension)):
                break
            return self._sgln(gln, extension)
        return self.private("location", path)

    def _sgln(self, gln: str, extension: str | None) -> str:
        if self._dl:
            base = f"{self.options.digital_link_base}/414/{gln}"
            return base if extension is None else f"{base}/254/{quote(extension, safe='')}"
        length = self._prefix_length(gln, f"GLN {gln}")
        suffix = "0" if extension is None else _escape(extension)
        return f"urn:epc:id:sgln:{gln[:length]}.{gln[length:12]}.{suffix}"

    def party(self, code: str) -> str:
        """The identifier of a supplier or customer: its party GLN (PGLN), or a private URI."""
        party = self.parties.get(code)
        gln = None if party is None else self.as_of("party", code, party.gln)
        if gln is None:
            return self.private("party", code)
        if not is_gln(gln):
            raise EpcisExportError(
                f"party {code} has GLN {gln!r}, which is not 13 digits with a valid check "
                "digit; correct it with add_party() before exporting"
            )
        return self.pgln(gln)

    def pgln(self, gln: str) -> str:
        """The party identifier of a GLN."""
        if self._dl:
            return f"{self.options.digital_link_base}/417/{gln}"
        length = self._prefix_length(gln, f"GLN {gln}")
        return f"urn:epc:id:pgln:{gln[:length]}.{gln[length:12]}"

    def document(self, ref: Reference) -> str:
        """The identifier of a business document."""
        return self.private("document", ref.type, ref.number)

    def private(self, *parts: str) -> str:
        """A URI under ``private_base`` made of ``parts``, each percent-encoded."""
        return self.options.private_base + self._sep.join(quote(p, safe="") for p in parts)

    def _prefix_length(self, digits: str, what: str) -> int:
        for prefix in self.options.company_prefixes:
            if digits.startswith(prefix):
                return len(prefix)
        if self.options.company_prefix_length is not None:
            return self.options.company_prefix_length
        raise EpcisExportError(
            f"cannot write {what} as an EPC URI: no GS1 Company Prefix in "
            "EpcisOptions.company_prefixes starts it and no company_prefix_length is set; add "
            "its prefix, or export with identifiers='digital_link', which needs none"
        )
