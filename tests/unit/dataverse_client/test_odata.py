"""The OData literal and filter builder: every value escaped, every name validated, no raw filters."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataverse_client import odata
from dataverse_client.odata import F, Filter, and_, literal, not_, or_

GUID = "7eb682f1-ca75-e511-80d4-00155d2a68d1"


class TestLiteral:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("Ann", "'Ann'"),
            ("O'Brien", "'O''Brien'"),
            ("", "''"),
            (True, "true"),
            (False, "false"),
            (0, "0"),
            (-42, "-42"),
            (1.5, "1.5"),
            (Decimal("20000.10"), "20000.10"),
            (Decimal("1E+2"), "100"),
            (None, "null"),
            (uuid.UUID(GUID.upper()), GUID),
            (date(2024, 3, 15), "2024-03-15"),
            (datetime(2023, 4, 7, 21, 59, 1, tzinfo=UTC), "2023-04-07T21:59:01Z"),
            (datetime(2023, 4, 7, 22, 59, 1, tzinfo=timezone(timedelta(hours=1))), "2023-04-07T21:59:01Z"),
            (datetime(2023, 4, 7, 21, 59, 1, 250000, tzinfo=UTC), "2023-04-07T21:59:01.25Z"),
        ],
    )
    def test_renders(self, value: object, expected: str) -> None:
        assert literal(value) == expected

    @pytest.mark.parametrize(
        "value",
        [
            datetime(2023, 4, 7, 21, 59, 1),  # naive: ambiguous instant
            float("nan"),
            float("inf"),
            Decimal("NaN"),
            b"bytes",
            ["a"],
            {"a": 1},
            object(),
        ],
    )
    def test_refuses_values_without_a_safe_literal(self, value: object) -> None:
        with pytest.raises(ValueError):  # noqa: PT011 - the message varies by type
            literal(value)

    def test_guid_strings_stay_strings_unless_declared(self) -> None:
        assert literal(GUID) == f"'{GUID}'"
        assert literal(odata.guid(GUID)) == GUID

    @pytest.mark.parametrize("bad", ["not-a-guid", f"{GUID}) or (1 eq 1", "", f"{GUID}'"])
    def test_declared_guid_is_validated(self, bad: str) -> None:
        with pytest.raises(ValueError, match="not a GUID"):
            odata.guid(bad)

    @pytest.mark.parametrize("bad", ["2024-13-01", "2024-02-30", "15/03/2024", "2024-03-15T00:00:00Z", "2024-3-5"])
    def test_declared_date_is_validated(self, bad: str) -> None:
        with pytest.raises(ValueError):  # noqa: PT011
            odata.date_value(bad)

    def test_declared_date_parses(self) -> None:
        assert literal(odata.date_value("2024-03-15")) == "2024-03-15"

    @given(st.text())
    def test_any_string_is_one_closed_literal(self, text: str) -> None:
        rendered = literal(text)
        inner = rendered[1:-1]
        # Given any text, When rendered, Then it is wrapped in quotes, every inner quote is doubled,
        # and undoing the doubling gives the original back (so no quote can end the literal early).
        assert rendered[0] == rendered[-1] == "'"
        assert inner.replace("''", "").count("'") == 0
        assert inner.replace("''", "'") == text


class TestNames:
    @pytest.mark.parametrize("good", ["dfeta_trn", "_dfeta_personid_value", "contactid", "A1"])
    def test_accepts_identifiers(self, good: str) -> None:
        assert odata.name(good) == good

    @pytest.mark.parametrize(
        "bad",
        ["", "1abc", "dfeta trn", "x'y", "a eq 'b'", "a/b", "a,b", "contactid\n", "fullname)", "é"],
    )
    def test_rejects_anything_else(self, bad: str) -> None:
        with pytest.raises(ValueError, match="not a valid OData name"):
            odata.name(bad)

    def test_select_and_orderby_validate_each_item(self) -> None:
        assert odata.select(["fullname", "contactid"]) == "fullname,contactid"
        assert odata.orderby(["modifiedon desc", "contactid"]) == "modifiedon desc,contactid"
        with pytest.raises(ValueError, match="not a valid OData name"):
            odata.select(["fullname", "x,y"])
        with pytest.raises(ValueError, match="orderby"):
            odata.orderby(["modifiedon descending"])
        with pytest.raises(ValueError, match="orderby"):
            odata.orderby(["a desc,b"])


class TestFilters:
    def test_comparisons(self) -> None:
        assert str(F.eq("dfeta_trn", "1234567")) == "dfeta_trn eq '1234567'"
        assert str(F.ne("statecode", 1)) == "statecode ne 1"
        assert str(F.gt("modifiedon", datetime(2024, 1, 1, tzinfo=UTC))) == "modifiedon gt 2024-01-01T00:00:00Z"
        assert str(F.ge("versionnumber", 5)) == "versionnumber ge 5"
        assert str(F.lt("birthdate", date(2000, 1, 1))) == "birthdate lt 2000-01-01"
        assert str(F.le("x", Decimal("1.5"))) == "x le 1.5"

    def test_string_functions(self) -> None:
        assert str(F.contains("lastname", "O'N")) == "contains(lastname,'O''N')"
        assert str(F.startswith("fullname", "A")) == "startswith(fullname,'A')"
        assert str(F.endswith("emailaddress1", "@x.com")) == "endswith(emailaddress1,'@x.com')"
        with pytest.raises(ValueError, match="needs a string"):
            F.contains("lastname", 1)  # type: ignore[arg-type]

    def test_lookup_and_null(self) -> None:
        assert str(F.lookup("dfeta_personid", GUID.upper())) == f"_dfeta_personid_value eq {GUID}"
        assert str(F.lookup("dfeta_personid", None)) == "_dfeta_personid_value eq null"
        assert str(F.is_null("dfeta_trn")) == "dfeta_trn eq null"
        assert str(F.is_not_null("dfeta_trn")) == "dfeta_trn ne null"
        with pytest.raises(ValueError, match="not a GUID"):
            F.lookup("dfeta_personid", "x' or 1 eq 1")

    def test_in_expands_to_or(self) -> None:
        assert str(F.in_("statuscode", [1, 2])) == "(statuscode eq 1) or (statuscode eq 2)"
        assert str(F.in_("statuscode", [1])) == "statuscode eq 1"
        with pytest.raises(ValueError, match="at least one"):
            F.in_("statuscode", [])

    def test_combinators_parenthesise(self) -> None:
        a, b, c = F.eq("a", 1), F.eq("b", 2), F.eq("c", 3)
        assert str(and_(a, or_(b, c))) == "(a eq 1) and ((b eq 2) or (c eq 3))"
        assert str(not_(a)) == "not (a eq 1)"
        assert a & b == and_(a, b)
        assert a | b == or_(a, b)
        assert ~a == not_(a)

    def test_filter_cannot_wrap_a_raw_string(self) -> None:
        with pytest.raises(TypeError):
            Filter("1 eq 1", object())
        with pytest.raises(TypeError):
            and_(F.eq("a", 1), "b eq 2")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "attack",
        [
            "x' or 1 eq 1 or 'a' eq 'a",
            "x') or (1 eq 1",
            "'",
            "''",
            "x'%20or%201%20eq%201",
            "x' or contains(fullname,'",
            "\\' or 1 eq 1 --",
        ],
    )
    def test_injection_attempts_stay_inside_the_literal(self, attack: str) -> None:
        text = str(F.eq("dfeta_trn", attack))
        # Given a hostile value, When filtered on, Then the whole value is one literal after "eq "
        prefix = "dfeta_trn eq "
        assert text.startswith(prefix)
        assert text[len(prefix) :] == "'" + attack.replace("'", "''") + "'"

    @pytest.mark.parametrize("column", ["dfeta_trn eq 'x' or 1", "a b", "x'", "fullname) or (1 eq 1"])
    def test_injection_through_column_names_is_refused(self, column: str) -> None:
        with pytest.raises(ValueError, match="not a valid OData name"):
            F.eq(column, "v")


class TestKeys:
    def test_guid_key(self) -> None:
        assert odata.key(GUID.upper()) == f"({GUID})"
        assert odata.key(uuid.UUID(GUID)) == f"({GUID})"

    def test_alternate_key(self) -> None:
        assert odata.key({"dfeta_trn": "12'34"}) == "(dfeta_trn='12''34')"
        assert odata.key({"a": 1, "b": "x"}) == "(a=1,b='x')"

    @pytest.mark.parametrize("bad", ["abc", f"{GUID})/foo", "", {}])
    def test_bad_keys_are_refused(self, bad: object) -> None:
        with pytest.raises(ValueError):  # noqa: PT011
            odata.key(bad)  # type: ignore[arg-type]

    def test_entity_id_from_url(self) -> None:
        url = f"https://org/api/data/v9.2/contacts({GUID.upper()})"
        assert odata.entity_id_from_url(url) == GUID
        assert odata.entity_id_from_url("https://org/api/data/v9.2/contacts(dfeta_trn='1')") is None
        assert odata.entity_id_from_url(None) is None
