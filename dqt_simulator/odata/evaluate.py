"""Compile a parsed ``$filter`` into a fast row predicate, typed against the table's columns.

Semantics follow Dataverse (SQL Server underneath):

* Comparisons are three-valued: comparing a null column with a non-null literal is *unknown*, and only
  rows where the whole filter is *true* are returned (so ``not (x eq 'a')`` does not return rows whose
  ``x`` is null, exactly like SQL ``NOT (x = 'a')``). ``eq null`` / ``ne null`` are ordinary tests.
* String comparisons and ``contains``/``startswith``/``endswith`` are case-insensitive (the default
  collation); GUIDs compare case-insensitively.
* Literals are converted to the column's type at compile time (``birthdate eq 1990-05-01``, a date-time
  literal on a ``DateOnly`` column keeps its UTC date, a date on a date-time column means midnight UTC);
  an incompatible literal is a 400 error, with Dataverse's wording.

Rows are mappings in Web API shape; values are JSON scalars (dates are ISO strings in canonical form:
``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM:SSZ``, so comparing strings compares instants).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from dqt_simulator.guid_order import order_key
from dqt_simulator.odata.parser import BoolOp, Call, Compare, ListLiteral, Literal, Node, Not, Property

#: A value type a column can have, as far as filtering and ordering care.
VTYPES = ("string", "int", "float", "bool", "guid", "date", "datetime")

EDM_NAMES = {
    "string": "Edm.String",
    "int": "Edm.Int32",
    "float": "Edm.Double",
    "decimal": "Edm.Decimal",
    "bool": "Edm.Boolean",
    "guid": "Edm.Guid",
    "date": "Edm.Date",
    "datetime": "Edm.DateTimeOffset",
    "null": "null",
}
_OPERATOR_KIND = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

Row = Mapping[str, Any]
Tri = bool | None
TriPredicate = Callable[[Row], Tri]
Resolver = Callable[[str], str]


class FilterError(ValueError):
    """The filter is well formed but meaningless for this table (types, functions)."""


class UnknownPropertyError(LookupError):
    """A property named in ``$filter``/``$select``/``$orderby`` does not exist on the type."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def format_datetime(value: datetime) -> str:
    """The canonical UTC form Dataverse returns for date-time columns (whole seconds, ``Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalizer(vtype: str) -> Callable[[Any], Any]:
    """How a stored value of this type is normalised before comparing or ordering."""
    if vtype == "string":
        return lambda v: v.casefold() if isinstance(v, str) else v
    if vtype == "guid":  # SQL Server's uniqueidentifier order, not text order (ADR 0097)
        return lambda v: order_key(v) if isinstance(v, str) else v
    return lambda v: v


def _incompatible(op: str, column_type: str, literal_kind: str) -> FilterError:
    kind = _OPERATOR_KIND.get(op, op)
    return FilterError(
        "A binary operator with incompatible types was detected. Found operand types "
        f"'{EDM_NAMES.get(column_type, column_type)}' and '{EDM_NAMES.get(literal_kind, literal_kind)}' "
        f"for operator kind '{kind}'."
    )


def _as_datetime(kind: str, value: Any) -> str:
    if kind == "date":
        return format_datetime(datetime(value.year, value.month, value.day, tzinfo=UTC))
    return format_datetime(value)


def _as_date(kind: str, value: Any) -> str:
    return str(value.isoformat() if kind == "date" else value.astimezone(UTC).date().isoformat())


#: (column type, literal kind) -> conversion of the literal to the column's stored, normalised form
_LITERAL_CONVERSIONS: dict[tuple[str, str], Callable[[str, Any], Any]] = {
    ("string", "string"): lambda kind, v: v.casefold(),
    ("int", "int"): lambda kind, v: v,
    ("float", "int"): lambda kind, v: float(v),
    ("float", "decimal"): lambda kind, v: float(v),
    ("bool", "bool"): lambda kind, v: v,
    ("guid", "guid"): lambda kind, v: v.lower(),
    ("date", "date"): _as_date,
    ("date", "datetime"): _as_date,
    ("datetime", "datetime"): _as_datetime,
    ("datetime", "date"): _as_datetime,
}


def coerce_literal(literal: Literal, vtype: str, op: str = "eq") -> Any:
    """Convert a literal to the stored (normalised) representation of a ``vtype`` column."""
    kind, value = literal.kind, literal.value
    if kind == "null":
        return None
    if vtype == "guid" and kind == "string" and _GUID_RE.match(value):
        return value.lower()
    conversion = _LITERAL_CONVERSIONS.get((vtype, kind))
    if conversion is None:
        raise _incompatible(op, vtype, kind)
    return conversion(kind, value)


def _guid_text(text: str) -> str:
    if not _GUID_RE.match(text):
        raise ValueError(text)
    return text.lower()


def _datetime_text(text: str) -> str:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return format_datetime(parsed)


_STRING_CONVERSIONS: dict[str, Callable[[str], Any]] = {
    "string": str.casefold,
    "int": int,
    "float": float,
    "bool": lambda text: {"true": True, "false": False, "1": True, "0": False}[text.lower()],
    "guid": _guid_text,
    "date": lambda text: date.fromisoformat(text[:10]).isoformat(),
    "datetime": _datetime_text,
}


def coerce_string_value(text: str, vtype: str) -> Any:
    """Dataverse functions take their values as strings (``PropertyValues=['1','2']``)."""
    conversion = _STRING_CONVERSIONS.get(vtype)
    if conversion is None:
        raise FilterError(f"Unsupported property type {vtype!r}.")
    try:
        return conversion(text)
    except (ValueError, KeyError) as exc:
        raise FilterError(
            f"The value '{text}' is not valid for a property of type '{EDM_NAMES.get(vtype, vtype)}'."
        ) from exc


# --- compilation ---------------------------------------------------------------------------------


def compile_filter(node: Node, resolve: Resolver) -> Callable[[Row], bool]:
    """A predicate that is true exactly for the rows the filter selects."""
    tri = _compile_bool(node, resolve)
    return lambda row: tri(row) is True


def _compile_bool(node: Node, resolve: Resolver) -> TriPredicate:
    if isinstance(node, BoolOp):
        left = _compile_bool(node.left, resolve)
        right = _compile_bool(node.right, resolve)
        return _and(left, right) if node.op == "and" else _or(left, right)
    if isinstance(node, Not):
        inner = _compile_bool(node.operand, resolve)
        return lambda row: None if (v := inner(row)) is None else not v
    if isinstance(node, Compare):
        return _compile_compare(node, resolve)
    if isinstance(node, Call):
        return _compile_call(node, resolve)
    if isinstance(node, Literal):
        if node.kind != "bool":
            raise FilterError(f"The literal {node.value!r} is not a boolean expression.")
        constant: bool = node.value
        return lambda row: constant
    if isinstance(node, Property):
        name = node.name
        if resolve(name) != "bool":
            raise FilterError(f"The property '{name}' is not a boolean expression.")
        return lambda row: None if (v := row.get(name)) is None else v is True
    raise FilterError("The expression is not a boolean expression.")


def _and(left: TriPredicate, right: TriPredicate) -> TriPredicate:
    def evaluate(row: Row) -> Tri:
        a = left(row)
        if a is False:
            return False
        b = right(row)
        if b is False:
            return False
        return True if (a and b) else None

    return evaluate


def _or(left: TriPredicate, right: TriPredicate) -> TriPredicate:
    def evaluate(row: Row) -> Tri:
        a = left(row)
        if a is True:
            return True
        b = right(row)
        if b is True:
            return True
        return False if (a is False and b is False) else None

    return evaluate


def _compile_compare(node: Compare, resolve: Resolver) -> TriPredicate:
    op, left, right = node.op, node.left, node.right
    if isinstance(left, Literal) and isinstance(right, Property):
        left, right, op = right, left, _FLIPPED[op]
    if isinstance(left, Property) and isinstance(right, Literal):
        return _property_vs_literal(op, left.name, resolve(left.name), right)
    if isinstance(left, Property) and isinstance(right, Property):
        return _property_vs_property(op, left.name, resolve(left.name), right.name, resolve(right.name))
    if isinstance(left, Literal) and isinstance(right, Literal):
        if left.kind == "null" or right.kind == "null":
            same = left.kind == right.kind
            constant: Tri = same if op == "eq" else (not same if op == "ne" else None)
        else:
            constant = _OPS[op](left.value, right.value)
        return lambda row: constant
    raise FilterError("Comparisons must be between a property and a literal or another property.")


def _property_vs_literal(op: str, name: str, vtype: str, literal: Literal) -> TriPredicate:
    value = coerce_literal(literal, vtype, op)
    if value is None:
        if op == "eq":
            return lambda row: row.get(name) is None
        if op == "ne":
            return lambda row: row.get(name) is not None
        return lambda row: None
    compare = _OPS[op]
    if vtype in ("string", "guid"):
        # Strings case-insensitively; GUIDs in SQL Server's order (ADR 0097), or as lower-case text where only
        # equality counts (no per-row reordering for the common ``eq``).
        norm: Callable[[str], str] = (
            str.casefold if vtype == "string" else str.lower if op in ("eq", "ne") else order_key
        )
        wanted = norm(value)

        def evaluate_text(row: Row) -> Tri:
            v = row.get(name)
            if v is None:
                return None
            return compare(norm(v), wanted)

        return evaluate_text

    def evaluate(row: Row) -> Tri:
        v = row.get(name)
        if v is None:
            return None
        return compare(v, value)

    return evaluate


def _property_vs_property(op: str, a: str, a_type: str, b: str, b_type: str) -> TriPredicate:
    numeric = {"int", "float"}
    if a_type != b_type and not (a_type in numeric and b_type in numeric):
        raise _incompatible(op, a_type, b_type)
    compare = _OPS[op]
    norm = normalizer(a_type)

    def evaluate(row: Row) -> Tri:
        x, y = row.get(a), row.get(b)
        if x is None or y is None:
            return None
        return compare(norm(x), norm(y))

    return evaluate


_STRING_FUNCTIONS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda v, s: s in v,
    "startswith": lambda v, s: v.startswith(s),
    "endswith": lambda v, s: v.endswith(s),
}
_DATAVERSE_PREFIX = "microsoft.dynamics.crm."


def _compile_call(node: Call, resolve: Resolver) -> TriPredicate:
    name = node.name.lower()
    if name in _STRING_FUNCTIONS:
        return _string_function(node, resolve, _STRING_FUNCTIONS[name])
    if name.startswith(_DATAVERSE_PREFIX):
        return _dataverse_function(node, resolve, name.removeprefix(_DATAVERSE_PREFIX))
    raise FilterError(f"An unknown function with name '{node.name}' was found.")


def _string_function(node: Call, resolve: Resolver, test: Callable[[str, str], bool]) -> TriPredicate:
    if len(node.args) != 2 or node.named:
        raise FilterError(f"The function '{node.name}' takes exactly two arguments.")
    prop, literal = node.args
    if not isinstance(prop, Property) or not isinstance(literal, Literal):
        raise FilterError(f"The function '{node.name}' takes a property and a string literal.")
    vtype = resolve(prop.name)
    if vtype != "string" or literal.kind != "string":
        raise FilterError(
            f"No function signature for the function with name '{node.name}' matches the "
            f"specified arguments. The function signatures considered are: "
            f"{node.name}(Edm.String Nullable=true, Edm.String)."
        )
    name = prop.name
    needle = literal.value.casefold()

    def evaluate(row: Row) -> Tri:
        v = row.get(name)
        if v is None:
            return None
        return test(v.casefold(), needle)

    return evaluate


def _named_args(node: Call) -> dict[str, Node]:
    if node.args:
        raise FilterError(f"The function '{node.name}' takes named parameters only.")
    return {key.lower(): value for key, value in node.named}


def _property_name(args: dict[str, Node], node: Call) -> str:
    value = args.get("propertyname")
    if not isinstance(value, Literal) or value.kind != "string":
        raise FilterError(f"The function '{node.name}' requires PropertyName='<name>'.")
    return str(value.value)


def _dataverse_function(node: Call, resolve: Resolver, short: str) -> TriPredicate:
    args = _named_args(node)
    name = _property_name(args, node)
    vtype = resolve(name)
    if short in ("null", "notnull"):
        want_null = short == "null"
        return lambda row: (row.get(name) is None) is want_null
    values_node = args.get("propertyvalues")
    if short in ("in", "notin", "between", "notbetween"):
        if not isinstance(values_node, ListLiteral):
            raise FilterError(f"The function '{node.name}' requires PropertyValues=[...].")
        norm = normalizer(vtype)  # applied to both sides: GUIDs compare in SQL Server's order
        values = [
            norm(coerce_string_value(item.value, vtype) if item.kind == "string" else coerce_literal(item, vtype))
            for item in values_node.items
        ]
        if short in ("in", "notin"):
            members = frozenset(values)
            inside = short == "in"

            def evaluate_in(row: Row) -> Tri:
                v = row.get(name)
                if v is None:
                    return None
                return (norm(v) in members) is inside

            return evaluate_in
        if len(values) != 2:
            raise FilterError(f"The function '{node.name}' requires exactly two PropertyValues.")
        low, high = values
        between = short == "between"

        def evaluate_between(row: Row) -> Tri:
            v = row.get(name)
            if v is None:
                return None
            return (low <= norm(v) <= high) is between

        return evaluate_between
    raise FilterError(f"The function '{node.name}' is not supported by the simulator.")
