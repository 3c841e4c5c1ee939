"""System query options from a request's query string, decoded the way Dataverse decodes them.

Names and values are percent-decoded with ``+`` meaning space, so ``%24skiptoken=...+...`` (how Airbyte
re-encodes a nextLink) and ``$skiptoken=...%20...`` (the nextLink verbatim) mean the same thing. Only the
options Dataverse supports are accepted; ``$skip`` is refused as it is by Dataverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from dqt_simulator.odata.parser import FilterSyntaxError, Node, parse_filter

SUPPORTED_OPTIONS = frozenset(
    {"$select", "$filter", "$orderby", "$top", "$count", "$expand", "$skiptoken", "$deltatoken", "$apply"}
)


class QueryError(ValueError):
    """A query option is malformed or not supported (answered as 400)."""


@dataclass(slots=True)
class QueryOptions:
    params: dict[str, str] = field(default_factory=dict)
    select: list[str] | None = None
    filter_text: str | None = None
    filter: Node | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (name, descending)
    top: int | None = None
    count: bool = False
    expand: str | None = None
    skiptoken: str | None = None
    deltatoken: str | None = None

    @property
    def orderby_text(self) -> str | None:
        return self.params.get("$orderby")


def split_query(query: str) -> dict[str, str]:
    """Decode ``a=b&c=d`` (``+`` is space); system option names are lower-cased; last one wins."""
    params: dict[str, str] = {}
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        decoded_name = unquote_plus(name).strip()
        if decoded_name.startswith("$"):
            decoded_name = decoded_name.lower()
        params[decoded_name] = unquote_plus(value)
    return params


def _names(text: str, option: str) -> list[str]:
    names = [n.strip() for n in text.split(",")]
    if not text.strip() or any(not n for n in names):
        raise QueryError(f"The value of the {option} query option is not valid: '{text}'.")
    return names


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = []
    for item in _names(text, "$orderby"):
        parts = item.split()
        if len(parts) == 1:
            keys.append((parts[0], False))
        elif len(parts) == 2 and parts[1].lower() in ("asc", "desc"):
            keys.append((parts[0], parts[1].lower() == "desc"))
        else:
            raise QueryError(f"Syntax error in $orderby at '{item}'.")
    return keys


def _check_names(params: dict[str, str]) -> None:
    for name in params:
        if name == "$skip":
            raise QueryError("The query parameter $skip is not supported.")
        if name.startswith("$") and name not in SUPPORTED_OPTIONS:
            raise QueryError(f"The query parameter {name} is not supported.")
        if name.lower() in ("fetchxml", "sql", "savedquery", "userquery"):
            raise QueryError(f"The query parameter {name} is not supported by the simulator.")
    if "$apply" in params:
        raise QueryError("The query parameter $apply is not supported by the simulator.")


def _parse_top(text: str) -> int:
    try:
        top = int(text)
    except ValueError as exc:
        raise QueryError(f"Invalid value '{text}' for $top query option found.") from exc
    if top < 0:
        raise QueryError(f"Invalid value '{text}' for $top query option found.")
    return top


def _parse_count(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise QueryError(f"Invalid value '{text}' for $count query option found.")
    return value == "true"


def _split_top(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def parse_expand(text: str | None) -> dict[str, list[str] | None]:
    """``Attributes($select=a,b),OptionSet`` -> ``{"Attributes": ["a","b"], "OptionSet": None}``."""
    result: dict[str, list[str] | None] = {}
    for item in _split_top(text or ""):
        name, _, rest = item.partition("(")
        select: list[str] | None = None
        for option in rest.rstrip(")").split(";"):
            key, _, value = option.partition("=")
            if key.strip().lower() == "$select" and value.strip():
                select = [v.strip() for v in value.split(",") if v.strip()]
        result[name.strip()] = select
    return result


def parse_query(query: str) -> QueryOptions:
    params = split_query(query)
    _check_names(params)
    options = QueryOptions(params=params)
    if "$select" in params:
        options.select = _names(params["$select"], "$select")
    if "$filter" in params:
        options.filter_text = params["$filter"]
        try:
            options.filter = parse_filter(params["$filter"])
        except FilterSyntaxError as exc:
            raise QueryError(f"Invalid $filter: {exc}") from exc
    if "$orderby" in params:
        options.orderby = parse_orderby(params["$orderby"])
    if "$top" in params:
        options.top = _parse_top(params["$top"])
    if "$count" in params:
        options.count = _parse_count(params["$count"])
    options.expand = params.get("$expand")
    options.skiptoken = params.get("$skiptoken")
    options.deltatoken = params.get("$deltatoken")
    return options
