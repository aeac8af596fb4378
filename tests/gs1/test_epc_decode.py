"""Decoding EPC URNs and GS1 Digital Link URIs back into GS1 keys."""

from __future__ import annotations

import doctest
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockline.errors import BarcodeError
from stockline.gs1 import _epc_decode, check_digit, lgtin_uri, sgln_uri, sgtin_uri, sscc, sscc_uri
from stockline.gs1._epc_decode import decode_epc

GTIN = "09506000134352"
# GS1 character set 82, which serials and lots may use.
CS82 = string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_"


class TestDecodeEpcUrns:
    def test_sgtin(self) -> None:
        """An SGTIN URN gives the GTIN-14 (check digit computed) and the unescaped serial."""
        epc = decode_epc("urn:epc:id:sgtin:0614141.107346.2017")
        assert (epc.kind, epc.gtin, epc.serial, epc.company_prefix_length) == (
            "sgtin",
            "10614141073464",
            "2017",
            7,
        )

    def test_lgtin_and_pattern(self) -> None:
        """An LGTIN class names a lot; an sgtin pattern with serial * names the GTIN."""
        lot = decode_epc("urn:epc:class:lgtin:4023333.002000.2019-10-07")
        assert (lot.kind, lot.gtin, lot.lot) == ("lgtin", "04023333020008", "2019-10-07")
        any_serial = decode_epc("urn:epc:idpat:sgtin:4054739.099914.*")
        assert (any_serial.kind, any_serial.gtin) == ("gtin", "04054739999148")

    def test_sscc_sgln_pgln(self) -> None:
        """SSCC, SGLN (extension 0 is none) and PGLN decode to their 18/13-digit keys."""
        assert decode_epc("urn:epc:id:sscc:4012345.0000000333").sscc == "040123450000003338"
        place = decode_epc("urn:epc:id:sgln:0614141.07346.1234")
        assert (place.gln, place.extension) == ("0614141073467", "1234")
        assert decode_epc("urn:epc:id:sgln:0614141.12345.0").extension is None
        assert decode_epc("urn:epc:id:pgln:4012345.00000").gln == "4012345000009"

    def test_urn_prefix_in_any_case(self) -> None:
        """The urn:epc prefix is case-insensitive, as URN syntax says."""
        assert decode_epc("URN:EPC:ID:SGTIN:0614141.107346.2017").serial == "2017"

    @pytest.mark.parametrize(
        ("uri", "needle"),
        [
            ("urn:epc:id:sgtin:0614141.10734.2017", "must be 6 digits"),
            ("urn:epc:id:sgtin:0614141.107346", "expected CompanyPrefix.IndicatorItemRef.Serial"),
            ("urn:epc:id:sgtin:06141.1073461.1", "6 to 12 digits"),
            ("urn:epc:id:sgtin:0614141.107346.a/b", "must be percent-encoded"),
            ("urn:epc:id:sgtin:0614141.107346.%00", "AI (21)"),
            ("urn:epc:idpat:sgtin:0614141.*.*", "names a trade item"),
            ("urn:epc:id:grai:4012345.66666.87", "does not decode"),
            ("urn:uuid:123", "neither an EPC URN"),
        ],
    )
    def test_malformed_is_refused(self, uri: str, needle: str) -> None:
        """A malformed or unsupported identifier raises BarcodeError saying what is wrong."""
        with pytest.raises(BarcodeError, match="cannot decode EPC") as caught:
            decode_epc(uri)
        assert needle in str(caught.value)


class TestDecodeDigitalLinks:
    def test_keys(self) -> None:
        """Digital Link URIs decode by their primary key and qualifiers."""
        assert decode_epc(f"https://id.gs1.org/01/{GTIN}/21/S1").kind == "sgtin"
        lot = decode_epc(f"https://example.com/01/{GTIN}/10/L7?17=270131")
        assert (lot.kind, lot.lot, lot.expiry and lot.expiry.isoformat()) == (
            "lgtin",
            "L7",
            "2027-01-31",
        )
        assert decode_epc(f"https://id.gs1.org/01/{GTIN}").kind == "gtin"
        assert decode_epc("https://id.gs1.org/00/040123450000003338").sscc == "040123450000003338"
        place = decode_epc("https://id.gs1.org/414/9520123456788/254/1")
        assert (place.kind, place.gln, place.extension) == ("sgln", "9520123456788", "1")
        assert decode_epc("https://id.gs1.org/417/9520123456788").kind == "pgln"

    def test_bad_check_digit_and_other_keys(self) -> None:
        """A bad check digit, or a key that names no item or place, is refused."""
        with pytest.raises(BarcodeError):
            decode_epc("https://id.gs1.org/01/09506000134353")
        with pytest.raises(BarcodeError, match="8004"):
            decode_epc("https://id.gs1.org/8004/4012345AAbb")


class TestRoundTrip:
    @settings(max_examples=60)
    @given(
        prefix_length=st.integers(6, 12),
        body=st.text("0123456789", min_size=13, max_size=13),
        serial=st.text(CS82, min_size=1, max_size=20),
    )
    def test_sgtin_and_lgtin(self, prefix_length: int, body: str, serial: str) -> None:
        """decode_epc reads back what sgtin_uri and lgtin_uri write, for any prefix length."""
        gtin = body + str(check_digit(body))
        epc = decode_epc(sgtin_uri(gtin, serial, prefix_length))
        assert (epc.gtin, epc.serial, epc.company_prefix_length) == (gtin, serial, prefix_length)
        assert epc.gtin is not None
        assert epc.serial is not None
        assert epc.company_prefix_length is not None
        assert sgtin_uri(gtin, serial, prefix_length) == sgtin_uri(
            epc.gtin, epc.serial, epc.company_prefix_length
        )
        assert decode_epc(lgtin_uri(gtin, serial, prefix_length)).lot == serial

    @settings(max_examples=40)
    @given(prefix_length=st.integers(6, 12), digits=st.text("0123456789", min_size=17, max_size=17))
    def test_sscc_and_sgln(self, prefix_length: int, digits: str) -> None:
        """SSCC and SGLN URIs decode back to the keys they were written from."""
        code = sscc(digits[1 : 1 + prefix_length], digits[1 + prefix_length :], int(digits[0]))
        assert decode_epc(sscc_uri(code, prefix_length)).sscc == code
        gln = digits[:12] + str(check_digit(digits[:12]))
        assert decode_epc(sgln_uri(gln, None, prefix_length)).gln == gln
        assert decode_epc(sgln_uri(gln, "A-1", prefix_length)).extension == "A-1"


class TestDocstrings:
    def test_examples_run(self) -> None:
        """The module's docstring examples give the output they show."""
        result = doctest.testmod(_epc_decode)
        assert result.attempted > 0
        assert result.failed == 0
