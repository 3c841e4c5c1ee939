"""``$skiptoken`` paging cookies in Dataverse's format, and the absolute links that carry them.

A skiptoken looks like Dataverse's::

    <cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e...%3c%2fcookie%3e" istracking="False" />

``pagingcookie`` is the URL-encoded inner cookie ``<cookie page="1"><fullname last="Ann" /><contactid
last="{GUID}" first="{GUID}" /></cookie>``: one element per ``$orderby`` column and the primary key, each
with the *last* value of the page, so the next page is found by seeking past that key. Extra attributes
on the inner ``<cookie>`` carry simulator state (change-tracking snapshot, rows emitted for ``$top``).
The whole token is URL-encoded once more in the nextLink, so the inner cookie ends up double-encoded,
as in real nextLinks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

_OUTER_RE = re.compile(r"^\s*<cookie\s+(?P<attrs>[^>]*?)\s*/>\s*$")
_ATTR_RE = re.compile(r'([A-Za-z_][\w.-]*)="([^"]*)"')
_INNER_RE = re.compile(r"^\s*<cookie(?P<attrs>[^>]*)>(?P<body>.*)</cookie>\s*$", re.DOTALL)
_ELEMENT_RE = re.compile(r"<(?P<name>[A-Za-z_][\w.]*)(?P<attrs>[^>]*?)\s*/>")


class SkipTokenError(ValueError):
    """The ``$skiptoken`` is not one this server issued."""


@dataclass(slots=True)
class PageCookie:
    pagenumber: int  # the page this token fetches (2 for the first nextLink)
    istracking: bool = False
    attrs: dict[str, str] = field(default_factory=dict)  # inner <cookie> attributes (simulator state)
    values: list[tuple[str, str | None]] = field(default_factory=list)  # (column, last value) in key order


def _attrs(text: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in _ATTR_RE.findall(text)}


def encode_skiptoken(cookie: PageCookie) -> str:
    """The raw (not URL-encoded) ``$skiptoken`` value."""
    inner_attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in cookie.attrs.items())
    elements = []
    for name, value in cookie.values:
        if value is None:
            elements.append(f'<{name} isnull="1" />')
        else:
            escaped = html.escape(value, quote=True)
            elements.append(f'<{name} last="{escaped}" first="{escaped}" />')
    inner = f'<cookie page="{cookie.pagenumber - 1}"{inner_attrs}>{"".join(elements)}</cookie>'
    # lower-case the hex escapes only (Dataverse writes %3c, %22 ...); letters in values stay as they are
    encoded_inner = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(inner, safe=""))
    tracking = "True" if cookie.istracking else "False"
    return f'<cookie pagenumber="{cookie.pagenumber}" pagingcookie="{encoded_inner}" istracking="{tracking}" />'


def decode_skiptoken(token: str) -> PageCookie:
    outer = _OUTER_RE.match(token)
    if outer is None:
        raise SkipTokenError("The $skiptoken is not a paging cookie.")
    attrs = _attrs(outer.group("attrs"))
    try:
        pagenumber = int(attrs["pagenumber"])
        inner_text = unquote(attrs["pagingcookie"])
    except (KeyError, ValueError) as exc:
        raise SkipTokenError("The $skiptoken paging cookie is incomplete.") from exc
    inner = _INNER_RE.match(inner_text)
    if inner is None:
        raise SkipTokenError("The $skiptoken paging cookie is malformed.")
    inner_attrs = _attrs(inner.group("attrs"))
    inner_attrs.pop("page", None)
    values: list[tuple[str, str | None]] = []
    for element in _ELEMENT_RE.finditer(inner.group("body")):
        element_attrs = _attrs(element.group("attrs"))
        if element_attrs.get("isnull") == "1":
            values.append((element.group("name"), None))
        elif "last" in element_attrs:
            values.append((element.group("name"), element_attrs["last"]))
        else:
            raise SkipTokenError("The $skiptoken paging cookie has an element without a value.")
    return PageCookie(pagenumber, attrs.get("istracking", "False").lower() == "true", inner_attrs, values)


# --- typed values in cookies ------------------------------------------------------------------------


def value_to_text(value: object, vtype: str) -> str | None:
    if value is None:
        return None
    if vtype == "guid":
        return "{" + str(value).upper() + "}"
    if vtype == "bool":
        return "1" if value else "0"
    return str(value)


def text_to_value(text: str | None, vtype: str) -> object:
    if text is None:
        return None
    try:
        if vtype == "guid":
            return text.strip("{}").lower()
        if vtype == "int":
            return int(text)
        if vtype == "float":
            return float(text)
        if vtype == "bool":
            return text in ("1", "true", "True")
    except ValueError as exc:
        raise SkipTokenError(f"The $skiptoken value {text!r} is not a {vtype}.") from exc
    return text


# --- links -------------------------------------------------------------------------------------------------


def _encode_value(value: str) -> str:
    return quote(value, safe="$,'()/:@*=")


def build_link(resource_url: str, params: list[tuple[str, str]]) -> str:
    """``resource_url?name=value&...`` with option names kept readable (``$select``) and values encoded."""
    if not params:
        return resource_url
    query = "&".join(f"{quote(name, safe='$')}={_encode_value(value)}" for name, value in params)
    return f"{resource_url}?{query}"


def encode_token_param(value: str) -> str:
    return quote(value, safe="=")


def build_link_with_tokens(resource_url: str, params: list[tuple[str, str]], tokens: list[tuple[str, str]]) -> str:
    """Like :func:`build_link`, but ``$skiptoken``/``$deltatoken`` values are encoded fully."""
    link = build_link(resource_url, params)
    extra = "&".join(f"{name}={encode_token_param(value)}" for name, value in tokens)
    if not extra:
        return link
    return f"{link}{'&' if params else '?'}{extra}"
