"""Text rules: names, email, NI number, TRN, TRN request id, control characters, NFC."""

from __future__ import annotations

import unicodedata

import pytest

from mappings import text
from mappings.errors import InvalidValue


@pytest.mark.parametrize("value", [None, ""])
def test_null_or_empty_name_becomes_empty(value: str | None) -> None:
    assert text.person_name(value) == ""
    assert text.raw_name(value) == ""


@pytest.mark.parametrize(
    "value",
    [
        "Siân",
        "Ó'Súilleabháin",
        "\u05d3\u05d5\u05d3",  # Hebrew (right-to-left)
        "\u200fRTL mark",  # a right-to-left mark is format text, not a control
        "Zoe\u0308",  # a combining diaeresis
        "Smith-Jones",
        "O'Brien",
        "  padded  ",  # names are not trimmed (TRS never trimmed them)
    ],
)
def test_ordinary_unicode_names_are_kept(value: str) -> None:
    assert text.raw_name(value) == value
    assert text.person_name(value) == unicodedata.normalize("NFC", value)


def test_person_names_are_nfc_but_raw_names_are_exact() -> None:
    decomposed = "Zoe\u0308"
    assert text.person_name(decomposed) == "Zo\u00eb"
    assert text.raw_name(decomposed) == decomposed


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "tab\there", "new\nline", "cr\r", "del\x7f", "c1\x85", "c1\x9f", "ls\u2028", "ps\u2029", "sur\ud800"],
)
def test_control_characters_separators_and_surrogates_are_refused_in_names(value: str) -> None:
    with pytest.raises(InvalidValue):
        text.raw_name(value)
    with pytest.raises(InvalidValue):
        text.person_name(value)


def test_name_length_limit_is_100_code_points_after_nfc() -> None:
    assert text.person_name("x" * 100) == "x" * 100
    with pytest.raises(InvalidValue, match="at most 100"):
        text.person_name("x" * 101)
    # U+0344 (combining Greek dialytika tonos) becomes two code points under NFC
    assert len(text.raw_name("\u0344" * 60)) == 60
    with pytest.raises(InvalidValue, match="at most 100"):
        text.person_name("\u0344" * 60)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("\t \n", None),
        (" jane@example.org ", "jane@example.org"),
        ("Jane@Example.org", "Jane@Example.org"),  # not lower-cased, not format-checked
        ("not-an-email", "not-an-email"),
    ],
)
def test_email_is_trimmed_and_blank_becomes_null(value: str | None, expected: str | None) -> None:
    assert text.email(value) == expected


def test_email_length_and_controls() -> None:
    assert text.email(" " + "e" * 100 + " ") == "e" * 100
    with pytest.raises(InvalidValue):
        text.email("e" * 101)
    with pytest.raises(InvalidValue):
        text.email("a\x00@b")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (" ", None),
        (" - ", None),
        ("AB123456C", "AB123456C"),
        ("ab123456c", "AB123456C"),
        ("AB 12 34 56 C", "AB123456C"),
        ("ab-12-34-56-c", "AB123456C"),
        ("\tAB123456C\n", "AB123456C"),
        ("QQ123456U", "QQ123456U"),
        ("63T12345", "63T12345"),  # temporary format, 8 characters
        ("ZZ123456A", "ZZ123456A"),  # banned prefix: kept (9 chars) but flagged by nino_format_ok
        ("123456789", "123456789"),  # kept, flagged
    ],
)
def test_ni_number_normalisation(value: str | None, expected: str | None) -> None:
    assert text.national_insurance_number(value) == expected


@pytest.mark.parametrize("value", ["AB1234", "ab 12 34 ", "AB123456CD", "A", "AB12345", "12345678"])
def test_ni_number_of_the_wrong_length_fails(value: str) -> None:
    with pytest.raises(InvalidValue, match="9 characters"):
        text.national_insurance_number(value)


def test_ni_number_with_control_characters_fails() -> None:
    with pytest.raises(InvalidValue):
        text.national_insurance_number("AB1234\x0056C")


@pytest.mark.parametrize(
    ("nino", "ok"),
    [
        ("AB123456C", True),
        ("AB123456D", True),
        ("AB123456F", True),
        ("AB123456M", True),
        ("AB123456U", True),
        ("QQ123456A", True),
        ("63T12345", True),
        ("AB123456E", False),  # suffix
        ("DA123456A", False),  # D never first
        ("AO123456A", False),  # O never second
        ("BG123456A", False),
        ("GB123456A", False),
        ("KN123456A", False),
        ("NK123456A", False),
        ("NT123456A", False),
        ("TN123456A", False),
        ("ZZ123456A", False),
        ("123456789", False),
        ("ＡＢ１２３４５６Ｃ", False),  # fullwidth: nine characters, not a NINO
    ],
)
def test_nino_format_rules(nino: str, ok: bool) -> None:
    assert text.nino_format_ok(nino) is ok


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("", None), ("1234567", "1234567"), ("0000001", "0000001")]
)
def test_valid_trns(value: str | None, expected: str | None) -> None:
    assert text.trn(value) == expected


@pytest.mark.parametrize(
    "value", ["12345678", "12345", " 1234567", "1234567 ", "123456a", "１２３４５６７", "١٢٣٤٥٦٧", "1234567\n", "   "]
)
def test_invalid_trns_fail(value: str) -> None:
    with pytest.raises(InvalidValue, match="7 digits"):
        text.trn(value)


def test_trn_request_id_splits_into_user_and_request() -> None:
    user = "8A8B6D2E-3C41-4F6A-9E0F-5B7C1D2E3F40"
    assert text.trn_request(f"{user}::REQ-1") == (user.lower(), "REQ-1")
    assert text.trn_request(f"{user}::a::b") == (user.lower(), "a::b")
    assert text.trn_request(None) == (None, None)
    assert text.trn_request("  ") == (None, None)


@pytest.mark.parametrize(
    "value",
    [
        "REQ-1",
        "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40",
        "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40::",
        "not-a-guid::REQ",
        "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40::" + "r" * 101,
    ],
)
def test_malformed_trn_request_ids_fail(value: str) -> None:
    with pytest.raises(InvalidValue):
        text.trn_request(value)


@pytest.mark.parametrize(
    "value",
    [
        "{8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40}",
        "8a8b6d2e3c414f6a9e0f5b7c1d2e3f40",
        "urn:uuid:8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40",
        "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f4",
        "00000000-0000-0000-0000-000000000000",
        "8a8b6d2e-3c41-4f6a-9e0f-5b7c1d2e3f40\n",
    ],
)
def test_guids_must_be_dataverse_shaped_and_not_nil(value: str) -> None:
    with pytest.raises(InvalidValue):
        text.uuid_text(value)


def test_free_text_keeps_line_breaks_but_not_other_controls() -> None:
    assert text.check_free_text("line 1\r\nline 2\tend") == "line 1\r\nline 2\tend"
    with pytest.raises(InvalidValue):
        text.check_free_text("nul\x00")
    with pytest.raises(InvalidValue):
        text.check_free_text("lone \udc80 surrogate")
