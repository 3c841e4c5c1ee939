"""Turning stored rows into response records: ``$select`` projection and ``Prefer``-driven annotations.

The fast path (no ``$select``, no annotations) returns the stored dicts themselves; with ``$select`` a
row is one dict comprehension over precomputed keys. Annotations (formatted values, lookup logical
names) are only computed when ``odata.include-annotations`` asks for them, each annotation key placed
before its property as in real payloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dqt_simulator.errors import bad_query, unknown_property
from dqt_simulator.odata.prefer import Preferences
from dqt_simulator.odata.query import parse_expand
from dqt_simulator.schema import Attribute
from dqt_simulator.store import Row, Store, Table

FORMATTED = "OData.Community.Display.V1.FormattedValue"
LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
ASSOCIATED_NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"


def selected_names(table: Table, select: list[str] | None) -> list[str] | None:
    """Output property order for ``$select``: as selected, then the primary key (always returned)."""
    if select is None:
        return None
    names: list[str] = []
    for name in select:
        if name not in names:
            names.append(name)
    if table.primary_id not in names:
        names.append(table.primary_id)
    return names


def context_fragment(table: Table, select: list[str] | None) -> str:
    """``contacts`` or ``contacts(fullname,contactid)`` for ``@odata.context``."""
    names = selected_names(table, select)
    return table.entity_set if names is None else f"{table.entity_set}({','.join(names)})"


def _format_datetime(value: str, behavior: str | None) -> str:
    try:
        if behavior == "DateOnly" or len(value) == 10:
            parsed = datetime.fromisoformat(value[:10])
            return f"{parsed.month}/{parsed.day}/{parsed.year}"
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    hour = parsed.hour % 12 or 12
    suffix = "AM" if parsed.hour < 12 else "PM"
    return f"{parsed.month}/{parsed.day}/{parsed.year} {hour}:{parsed.minute:02d} {suffix}"


@dataclass(frozen=True, slots=True)
class Expansion:
    """One single-valued navigation property to expand: the lookup, its target table and nested $select."""

    navigation: str
    column: str  # _x_value read name of the lookup
    target: Table
    renderer: Renderer


def plan_expansions(store: Store, table: Table, expand: str | None, prefs: Preferences) -> list[Expansion]:
    """Validate ``$expand`` (single-valued navigation properties, schema casing, nested ``$select``)."""
    if not expand:
        return []
    navigations = table.entity.navigation_properties()
    plans = []
    for navigation, select in parse_expand(expand).items():
        attribute = navigations.get(navigation)
        if attribute is None:
            raise unknown_property(table.logical_name, navigation)
        target = store.by_logical.get(attribute.targets[0]) if attribute.targets else None
        if target is None:
            raise bad_query(f"Expanding '{navigation}' (a {attribute.targets[0]}) is not supported by the simulator.")
        for name in select or ():
            if name not in target.vtypes:
                raise unknown_property(target.logical_name, name)
        plans.append(Expansion(navigation, attribute.read_name, target, Renderer(store, target, select, prefs)))
    return plans


class Renderer:
    def __init__(
        self,
        store: Store,
        table: Table,
        select: list[str] | None,
        prefs: Preferences,
        expansions: list[Expansion] | None = None,
    ) -> None:
        self.store = store
        self.table = table
        names = selected_names(table, select)
        self.keys: list[str] | None = None if names is None else ["@odata.etag", *names]
        self.formatted = prefs.wants_annotation(FORMATTED)
        self.lookup_logical = prefs.wants_annotation(LOOKUP_LOGICAL_NAME)
        self.associated = prefs.wants_annotation(ASSOCIATED_NAVIGATION)
        self.annotate = self.formatted or self.lookup_logical or self.associated
        self.expansions = expansions or []

    def many(self, rows: list[Row]) -> list[Row]:
        if self.annotate or self.expansions:
            return [self.one(row) for row in rows]
        keys = self.keys
        if keys is None:
            return rows
        return [{k: row[k] for k in keys} for row in rows]

    def one(self, row: Row) -> Row:
        keys = self.keys if self.keys is not None else list(row)
        if not self.annotate:
            out = {k: row[k] for k in keys}
        else:
            out = {}
            columns = self.table.columns
            for key in keys:
                value = row[key]
                attribute = columns.get(key)
                if attribute is not None and value is not None:
                    self._annotate(out, key, attribute, value)
                out[key] = value
        for expansion in self.expansions:
            target_id = row[expansion.column]
            target_row = expansion.target.rows.get(target_id) if target_id else None
            out[expansion.navigation] = None if target_row is None else expansion.renderer.one(target_row)
        return out

    def _annotate(self, out: Row, key: str, attribute: Attribute, value: Any) -> None:
        if self.formatted:
            formatted = self.formatted_value(attribute, value)
            if formatted is not None:
                out[f"{key}@{FORMATTED}"] = formatted
        if attribute.kind == "Lookup":
            if self.associated and attribute.navigation:
                out[f"{key}@{ASSOCIATED_NAVIGATION}"] = attribute.navigation
            if self.lookup_logical and attribute.targets:
                out[f"{key}@{LOOKUP_LOGICAL_NAME}"] = attribute.targets[0]

    def formatted_value(self, attribute: Attribute, value: Any) -> str | None:
        kind = attribute.kind
        if kind in ("Picklist", "State", "Status"):
            options = attribute.options or {}
            label = options.get(value)
            return label if label is not None else str(value)
        if kind == "Boolean":
            return "Yes" if value else "No"
        if kind == "Lookup":
            return self._lookup_name(attribute, value)
        if kind == "DateTime":
            return _format_datetime(str(value), attribute.behavior)
        if kind in ("Integer", "BigInt"):
            return f"{value:,}"
        return None

    def _lookup_name(self, attribute: Attribute, value: str) -> str | None:
        if not attribute.targets:
            return None
        target = attribute.targets[0]
        if target == "systemuser":
            return self.store.user_names.get(value)
        table = self.store.by_logical.get(target)
        if table is None or table.entity.primary_name is None:
            return None
        row = table.rows.get(value)
        if row is None:
            return None
        name = row.get(table.entity.primary_name)
        return None if name is None else str(name)
