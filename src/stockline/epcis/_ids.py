"""Identifiers in an EPCIS export: GS1 keys as Digital Link or EPC URIs, else private URIs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from stockline.epcis._hash import mod10
from stockline.epcis._options import EpcisOptions, is_gln
from stockline.errors import EpcisExportError
from stockline.ledger._master import Item, Location, Party, parent_paths
from stockline.ledger._records import Reference

__all__ = ["Names"]

# GS1 AI 10/21/254 values: 1 to 20 characters of GS1 character set 82.
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def _escape(text: str) -> str:
    # EPC URIs (TDS) escape these characters of GS1 character set 82.
    for char, code in (("%", "%25"), ('"', "%22"), ("&", "%26"), ("/", "%2F")):
        text = text.replace(char, code)
    return text.replace("<", "%3C").replace(">", "%3E").replace("?", "%3F")


class Names:
    """Turns items, lots, serials, containers, locations, parties and documents into URIs.

    Built once per export from the master data; URIs that repeat (item classes, locations)
    are cached, so memory grows with master data and lots, never with transactions.
    """

    def __init__(
        self,
        options: EpcisOptions,
        items: Mapping[str, Item],
        locations: Mapping[str, Location],
        parties: Mapping[str, Party],
    ) -> None:
        self.options = options
        self.items = items
        self.locations = locations
        self.parties = parties
        self._sep = options.private_base[-1]
        self._dl = options.identifiers == "digital_link"
        self._classes: dict[tuple[str, str | None], str] = {}
        self._places: dict[str, str] = {}
        self._containers: dict[str, str] = {}

    # -- trade items -----------------------------------------------------------------------

    def item_class(self, sku: str, lot: str | None) -> str:
        """The class identifier of a lot (LGTIN) or of an item without lots (GTIN class)."""
        key = (sku, lot)
        uri = self._classes.get(key)
        if uri is None:
            uri = self._classes[key] = self._item_class(sku, lot)
        return uri

    def _item_class(self, sku: str, lot: str | None) -> str:
        gtin = self.items[sku].gtin
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
        gtin = self.items[sku].gtin
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
        rest of the path as GLN extension (AI 254), or a private URI."""
        uri = self._places.get(path)
        if uri is None:
            uri = self._places[path] = self._location(path)
        return uri

    def _location(self, path: str) -> str:
        for ancestor in [path, *reversed(parent_paths(path))]:
            location = self.locations.get(ancestor)
            if location is None or location.gln is None:
                continue
            if not is_gln(location.gln):
                raise EpcisExportError(
                    f"location {ancestor} has GLN {location.gln!r}, which is not 13 digits with "
                    "a valid check digit; correct it before exporting"
                )
            extension = None if ancestor == path else path[len(ancestor) + 1 :]
            if extension is not None and not _CSET82.match(extension):
                break
            return self._sgln(location.gln, extension)
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
        if party is None or party.gln is None:
            return self.private("party", code)
        if not is_gln(party.gln):
            raise EpcisExportError(
                f"party {code} has GLN {party.gln!r}, which is not 13 digits with a valid check "
                "digit; correct it with add_party() before exporting"
            )
        return self.pgln(party.gln)

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
