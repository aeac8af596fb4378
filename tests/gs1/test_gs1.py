"""Unit tests for stockline.gs1, one class per unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pendulum
import pytest

import stockline as sl
from stockline.errors import BarcodeError
from stockline.gs1 import (
    GS,
    Element,
    build_elements,
    check_digit,
    check_elements,
    is_valid_gtin,
    lgtin_uri,
    normalize_gtin,
    parse,
    sgln_uri,
    sgtin_uri,
    sscc,
    sscc_uri,
    to_digital_link,
    to_element_string,
    to_hri,
)
from tests.conftest import StoreFactory

TODAY = dt.date(2026, 1, 1)
GTIN = "09506000134352"


def _raises(text: str, ai: str | None, **kwargs: object) -> BarcodeError:
    with pytest.raises(BarcodeError) as info:
        parse(text, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert info.value.ai == ai
    assert info.value.text == text
    return info.value


class TestParseFormats:
    def test_element_string_with_gs(self) -> None:
        """A GS ends a variable-length field; fixed-length fields need none."""
        scan = parse(f"]d201{GTIN}1725050010ABC{GS}21S1", today=TODAY)
        assert (scan.gtin, scan.lot, scan.serial) == (GTIN, "ABC", "S1")
        assert scan.expiry == dt.date(2025, 5, 31)
        assert (scan.symbology, scan.source_format) == ("]d2", "element_string")

    def test_gs_standin(self) -> None:
        """A configured stand-in character counts as GS, also in first position."""
        scan = parse(f"^01{GTIN}10ABC^21S1", gs_standin="^", today=TODAY)
        assert (scan.lot, scan.serial) == ("ABC", "S1")

    def test_hri(self) -> None:
        """Bracketed HRI is read, and a backslash escapes a bracket in data."""
        scan = parse(f"(01){GTIN}(10)A\\(1)", today=TODAY)
        assert (scan.lot, scan.source_format) == ("A(1)", "hri")

    def test_digital_link(self) -> None:
        """A Digital Link URI gives path key, qualifiers and query attributes."""
        scan = parse(
            f"https://example.com/x/01/{GTIN}/10/AB%2F1?17=260131&3103=001250", today=TODAY
        )
        assert (scan.gtin, scan.lot, scan.expiry) == (GTIN, "AB/1", dt.date(2026, 1, 31))
        assert scan.measures[0].value == Decimal("1.250")
        assert scan.measures[0].unit == "KGM"

    def test_digital_link_in_non_gs1_qr(self) -> None:
        """]Q1 (plain QR) carrying a Digital Link URI is read as one."""
        assert parse(f"]Q1https://id.gs1.org/01/{GTIN}", today=TODAY).gtin == GTIN

    def test_plain_codes(self) -> None:
        """Bare GTIN-8/12/13, UPC-E and SSCC become GTIN-14 / SSCC."""
        assert parse("96385074", today=TODAY).gtin == "00000096385074"
        assert parse("9506000134352", today=TODAY).gtin == GTIN
        assert parse("425261", today=TODAY).gtin == "00042100005264"
        assert parse("106141411234567897", today=TODAY).sscc == "106141411234567897"

    def test_linear_symbology_digit_count(self) -> None:
        """]E0 transmits exactly 13 digits."""
        _raises("]E0123456789012", "01")

    def test_count_and_content(self) -> None:
        """AI 37 is an int and AI 02 the content GTIN."""
        scan = parse(f"(00)106141411234567897(02){GTIN}(37)25", today=TODAY)
        assert (scan.count, scan.content_gtin) == (25, GTIN)


class TestParseStrictness:
    def test_bad_gtin_check_digit(self) -> None:
        """A GTIN in AI 01 with a wrong check digit is refused, naming AI 01."""
        assert "check digit" in str(_raises("(01)09506000134353", "01"))

    def test_bad_check_digit_in_content_gtin(self) -> None:
        """AI 02 is checked too."""
        _raises("(00)106141411234567897(02)09506000134353(37)1", "02")

    def test_bad_sscc_check_digit(self) -> None:
        """AI 00 is checked."""
        _raises("00376130321109103421", "00")

    def test_bad_gln_check_digit(self) -> None:
        """GLN AIs 410-417 are checked."""
        _raises("(414)0614141123453", "414")

    def test_requisite(self) -> None:
        """A serial (21) without a GTIN (01) is refused; the message says what to do."""
        error = _raises("(21)ABC", "21")
        assert "(01)" in str(error)
        assert "check_pairings=False" in str(error)

    def test_requisite_off(self) -> None:
        """check_pairings=False reads one carrier of a multi-barcode label."""
        assert parse("(21)ABC", today=TODAY, check_pairings=False).serial == "ABC"

    def test_count_needs_sscc_and_content(self) -> None:
        """AI 37 needs (00) and one of (02)/(8026)."""
        _raises(f"(02){GTIN}(37)5", "37")

    def test_exclusion(self) -> None:
        """02 (content) and 01 together are refused, naming 02 whose ex= rule it is."""
        _raises(f"(01){GTIN}(02){GTIN}", "02")

    def test_exclusion_within_pattern(self) -> None:
        """Two net weights in different decimal positions are exclusive (ex=310n)."""
        _raises(f"(01){GTIN}(3100)000001(3101)000010", "3100")

    def test_conflicting_repeat(self) -> None:
        """The same AI twice with different values is refused; the same value is fine."""
        _raises(f"(01){GTIN}(10)A(10)B", "10")
        assert parse(f"(01){GTIN}(10)A(10)A", today=TODAY).lot == "A"

    def test_empty_payload(self) -> None:
        """A symbology identifier with no data is refused."""
        _raises("]C1", None)

    def test_empty_value(self) -> None:
        """An AI with no value is refused."""
        _raises(f"(01){GTIN}(10)", "10")

    def test_invalid_date(self) -> None:
        """A date that does not exist is refused, naming the AI."""
        _raises(f"(01){GTIN}(17)250230", "17")

    def test_day_zero_only_where_allowed(self) -> None:
        """Day 00 is the month end for AI 17 but illegal for 7006."""
        assert parse(f"(01){GTIN}(17)240200", today=TODAY).expiry == dt.date(2024, 2, 29)
        _raises(f"(01){GTIN}(7006)240200", "7006")

    def test_variable_field_without_separator(self) -> None:
        """A lot longer than 20 characters (a missing GS) is refused."""
        _raises(f"01{GTIN}10{'A' * 21}", "10")

    def test_character_set(self) -> None:
        """A space is outside character set 82."""
        _raises(f"(01){GTIN}(10)A B", "10")

    def test_only_barcode_error(self) -> None:
        """Non-GS1 data raises BarcodeError, not another exception."""
        _raises("hello", None)
        _raises("]Q1hello", None)


class TestSlidingWindow:
    @pytest.mark.parametrize(
        ("raw", "year"), [("760101", 2076), ("770101", 1977), ("990101", 1999), ("000101", 2000)]
    )
    def test_year(self, raw: str, year: int) -> None:
        """Two-digit years lie 49 years back to 50 ahead of the reading date."""
        assert parse(f"(01){GTIN}(17){raw}", today=TODAY).expiry == dt.date(year, 1, 1)

    def test_reading_date_is_injected(self) -> None:
        """The window moves with today=."""
        scan = parse(f"(01){GTIN}(17)770101", today=dt.date(2027, 6, 1))
        assert scan.expiry == dt.date(2077, 1, 1)


class TestDigitalLinkStrictness:
    @pytest.mark.parametrize(
        "uri",
        [
            "https://a/01/9506000134352",
            f"https://a/01/{GTIN}?10=ABC",
            f"https://a/01/{GTIN}/10/A?10=A",
            f"https://a/01/{GTIN}?99=",
            f"https://a/01/{GTIN}?999=1",
            f"HtTp://a/01/{GTIN}",
            f"https://a/01/{GTIN}/",
        ],
    )
    def test_refused(self, uri: str) -> None:
        """Zero-suppressed GTIN, qualifier in query, duplicate, empty or unknown AI, bad scheme
        and trailing slash are refused."""
        with pytest.raises(BarcodeError):
            parse(uri, today=TODAY)

    @pytest.mark.parametrize(
        ("uri", "bracket"),
        [
            (f"https://a/01/{GTIN}/10/ABC?17=290331&x=[1]", "["),
            (f"https://a/01/{GTIN}/10/ABC?17=290331&x]=1", "]"),
            (f"https://a/01/{GTIN}/10/A[B", "["),
        ],
    )
    def test_unencoded_brackets_are_refused(self, uri: str, bracket: str) -> None:
        """'[' and ']' belong only around an IP literal host (RFC 3986 3.2.2, 3.3, 3.4)."""
        error = _raises(uri, None)
        assert f"{bracket!r} may not appear unencoded" in str(error)
        assert f"%{ord(bracket):02X}" in str(error)

    def test_encoded_brackets_and_ip_literal_host_are_read(self) -> None:
        """Percent-encoded brackets in a non-GS1 parameter and an IPv6 host are fine."""
        assert parse(f"https://a/01/{GTIN}?x=%5B1%5D", today=TODAY).gtin == GTIN
        assert parse(f"https://[2001:db8::1]/01/{GTIN}", today=TODAY).gtin == GTIN


class TestLengthMessages:
    def test_value_that_does_not_divide_into_parts(self) -> None:
        """AI (423) takes whole 3-digit country codes: 13 digits names the cut-off part."""
        error = _raises(f"(01){GTIN}(423)0400560781234", "423")
        assert "13 characters, which do not divide into its parts" in str(error)
        assert "comes '4', 1 character where the next part needs 3 characters" in str(error)
        assert "expected 3, 6, 9, 12 or 15 characters" in str(error)
        assert "too short" not in str(error)

    def test_value_shorter_than_the_first_part(self) -> None:
        """Two digits of (423) are too short, with the lengths that would do."""
        error = _raises(f"(01){GTIN}(423)04", "423")
        assert "too short: expected 3, 6, 9, 12 or 15 characters" in str(error)

    def test_fixed_and_ranged_lengths(self) -> None:
        """One length or a contiguous range reads as such."""
        assert "expected 14 characters" in str(_raises("(01)0950600013435", "01"))
        assert "expected 18 characters" in str(_raises(f"(01){GTIN}(8006)0950600013435201", "8006"))


class TestCheckDigit:
    def test_value(self) -> None:
        """The GS1 mod-10 check digit."""
        assert check_digit("950600013435") == 2

    def test_refuses_non_digits(self) -> None:
        """Non-ASCII-digit input is refused."""
        with pytest.raises(BarcodeError):
            check_digit("95A")


class TestNormalizeGtin:
    @pytest.mark.parametrize(
        ("text", "gtin14"),
        [("96385074", "00000096385074"), ("614141123452", "00614141123452"), (GTIN, GTIN)],
    )
    def test_normalizes(self, text: str, gtin14: str) -> None:
        """GTIN-8/12/13/14 become GTIN-14."""
        assert normalize_gtin(text) == gtin14
        assert is_valid_gtin(text)

    @pytest.mark.parametrize("text", ["09506000134353", "123", "abcdefghijklm", "٠٩٥٠٦٠٠٠١٣٤٣٥٢"])
    def test_refuses(self, text: str) -> None:
        """Wrong check digit, length or characters are refused."""
        with pytest.raises(BarcodeError):
            normalize_gtin(text)
        assert not is_valid_gtin(text)


class TestSscc:
    def test_builds_with_check_digit(self) -> None:
        """Extension + prefix + reference + check digit."""
        assert sscc("0614141", "123456789", 1) == "106141411234567897"

    @pytest.mark.parametrize(
        ("prefix", "reference", "extension"),
        [("0614141", "12345678", 0), ("12345", "12345678901", 0), ("0614141", "123456789", 10)],
    )
    def test_refuses_bad_parts(self, prefix: str, reference: str, extension: int) -> None:
        """Prefix + reference must be 16 digits with a 6-12 digit prefix."""
        with pytest.raises(BarcodeError):
            sscc(prefix, reference, extension)


class TestEncode:
    def test_element_string_needs_gs_only_between_variable_fields(self) -> None:
        """Fixed AIs first; one GS between lot and serial; none at the end."""
        elements = build_elements(
            gtin=GTIN, lot="L1", serial="S1", expiry=dt.date(2026, 5, 31), today=TODAY
        )
        assert to_element_string(elements) == f"01{GTIN}1726053110L1{GS}21S1"
        assert to_element_string(elements, separator="^", prefix="]C1").startswith("]C101")

    def test_hri_and_digital_link(self) -> None:
        """HRI brackets each AI; DL puts key and qualifiers in the path."""
        elements = build_elements(gtin=GTIN, lot="L/1", expiry=dt.date(2026, 5, 31), today=TODAY)
        assert to_hri(elements) == f"(01){GTIN}(17)260531(10)L/1"
        assert to_digital_link(elements, domain="d.example") == (
            f"https://d.example/01/{GTIN}/10/L%2F1?17=260531"
        )

    def test_build_checks_rules(self) -> None:
        """A serial needs a GTIN; a date outside the window is refused."""
        with pytest.raises(BarcodeError):
            build_elements(serial="S1", today=TODAY)
        with pytest.raises(BarcodeError):
            build_elements(gtin=GTIN, expiry=dt.date(2090, 1, 1), today=TODAY)

    def test_check_elements_combines_carriers(self) -> None:
        """Pairings hold over the combined elements of several barcodes."""
        first = parse("(00)106141411234567897", today=TODAY).elements
        second = parse(f"(02){GTIN}(37)10", today=TODAY, check_pairings=False).elements
        check_elements(first + second, today=TODAY)
        with pytest.raises(BarcodeError):
            check_elements(second, today=TODAY)

    def test_digital_link_needs_one_key(self) -> None:
        """No primary key, no URI."""
        with pytest.raises(BarcodeError):
            to_digital_link([Element(ai="10", value="A")])


class TestEpcUris:
    def test_sgtin(self) -> None:
        """Indicator moves before the item reference; the check digit is dropped; / is escaped."""
        assert (
            sgtin_uri("80614141123458", "6789/AB", 7) == "urn:epc:id:sgtin:0614141.812345.6789%2FAB"
        )

    def test_lgtin(self) -> None:
        """LGTIN is a class URI with the lot."""
        assert lgtin_uri("80614141123458", "L&1", 7) == "urn:epc:class:lgtin:0614141.812345.L%261"

    def test_sscc(self) -> None:
        """Extension digit leads the serial reference."""
        assert sscc_uri("106141411234567897", 7) == "urn:epc:id:sscc:0614141.1123456789"

    def test_sgln(self) -> None:
        """No extension is written as 0."""
        assert sgln_uri("0614141123452", None, 7) == "urn:epc:id:sgln:0614141.12345.0"
        assert sgln_uri("0614141123452", "5678", 12) == "urn:epc:id:sgln:061414112345..5678"

    @pytest.mark.parametrize("length", [5, 13])
    def test_prefix_length_range(self, length: int) -> None:
        """The company prefix length must be 6-12."""
        with pytest.raises(BarcodeError):
            sgtin_uri(GTIN, "1", length)

    def test_bad_serial(self) -> None:
        """A serial outside character set 82 is refused."""
        with pytest.raises(BarcodeError):
            sgtin_uri(GTIN, "a b", 7)


class TestStandIn:
    def test_long_stand_in_is_a_stockline_error(self) -> None:
        """A GS stand-in of more than one character is refused with a ValidationError."""
        from stockline import gs1
        from stockline.errors import ValidationError

        with pytest.raises(ValidationError, match="one character"):
            gs1.parse("0109506000134352", gs_standin="^^")


class TestThroughTheLedger:
    @pytest.mark.parametrize(
        "text",
        [
            f"https://id.gs1.org/01/{GTIN}/10/L1?17=270131&x=[1]",
            f"(01){GTIN}(10)L1\x1d423" + "0400560781234",
        ],
    )
    def test_refused_scans_leave_every_store_unchanged(
        self, any_store: StoreFactory, text: str
    ) -> None:
        """A scan stockline refuses raises BarcodeError from the scanning service and posts
        nothing, on every store."""
        inv = sl.Inventory(
            store=any_store(), clock=sl.FixedClock(pendulum.datetime(2026, 1, 1, tz="UTC"))
        )
        inv.add_item("ASP", gtin=GTIN, tracking="lot")
        inv.add_location("DC1")
        with pytest.raises(BarcodeError):
            inv.scanning.receive(text, 1, dst="DC1", supplier="ACME")
        assert inv.changes() == []
        assert inv.verify().ok
