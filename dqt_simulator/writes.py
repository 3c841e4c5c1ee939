"""Creates, updates, upserts and deletes, with Dataverse's validation and conditional semantics.

* Payload validation: structural properties by logical name, lookups only through
  ``<Navigation>@odata.bind`` with the schema's navigation casing, JSON types per column, string
  lengths, option values; read-only columns (``versionnumber``, ``createdon``, ...) are ignored.
* Every write takes the next org-wide version, stamps ``modifiedon``/``modifiedby`` (the impersonated
  caller, else the application user), appends to the change log and to the audit log.
* Conditions: PATCH without ``If-Match`` upserts; ``If-Match: *`` updates only; ``If-Match: W/"n"``
  must match the current version; ``If-None-Match: *`` creates only.
* ``CreateMultiple``/``UpdateMultiple``/``UpsertMultiple`` run in one transaction: all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import orjson

from dqt_simulator.config import API_PREFIX
from dqt_simulator.errors import (
    ApiError,
    duplicate_record,
    not_found,
    payload_error,
    unknown_property,
    validation_error,
    version_mismatch,
)
from dqt_simulator.httpmsg import Request, Response, json_response
from dqt_simulator.odata.prefer import parse_prefer
from dqt_simulator.querying import validate_select
from dqt_simulator.render import Renderer, context_fragment
from dqt_simulator.schema import Attribute
from dqt_simulator.store import Row, Store, Table, etag

if TYPE_CHECKING:
    from dqt_simulator.app import Simulator

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BIND_RE = re.compile(r"^/?(?P<set>[A-Za-z_][A-Za-z0-9_]*)\((?P<id>[0-9a-fA-F-]{36})\)$")
_ENTITY_REF_RE = re.compile(r"^/?(?P<set>[A-Za-z_][A-Za-z0-9_]*)\((?P<key>[^)]*)\)$")
_KEY_RE = re.compile(
    r"^(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)=)?'?\{?(?P<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?'?$"
)
_SYSTEM_COLUMNS = frozenset({"createdon", "modifiedon", "_createdby_value", "_modifiedby_value", "versionnumber"})
_EDM = {
    "String": "Edm.String",
    "Memo": "Edm.String",
    "Integer": "Edm.Int32",
    "BigInt": "Edm.Int64",
    "Picklist": "Edm.Int32",
    "State": "Edm.Int32",
    "Status": "Edm.Int32",
    "Boolean": "Edm.Boolean",
    "DateTime": "Edm.DateTimeOffset",
    "Uniqueidentifier": "Edm.Guid",
}
_INT32 = (-(2**31), 2**31 - 1)


@dataclass(slots=True)
class WriteContext:
    caller_id: str
    now: str  # modifiedon stamp
    base_url: str
    content_ids: dict[str, str] | None = None  # $batch Content-ID -> entity URL


def new_guid() -> str:
    import uuid

    return str(uuid.uuid4())


# --- payload validation ----------------------------------------------------------------------------------


def _cannot_convert(table: Table, attribute: Attribute, value: Any) -> ApiError:
    edm = "Edm.Date" if attribute.behavior == "DateOnly" else _EDM.get(attribute.kind, "Edm.String")
    return payload_error(table.entity_set, f"Cannot convert the literal '{value}' to the expected type '{edm}'.")


def normalise_datetime(value: str, behavior: str | None) -> str:
    """Canonical stored form: ``YYYY-MM-DD`` (DateOnly) or ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    if behavior == "DateOnly":
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.date().isoformat()
    if len(value) == 10:
        parsed = datetime.fromisoformat(value).replace(tzinfo=UTC)
    else:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1753:
        raise ValueError("before 1753-01-01")
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _validate_text(table: Table, attribute: Attribute, value: Any) -> Any:
    if not isinstance(value, str):
        raise _cannot_convert(table, attribute, value)
    if attribute.max_length is not None and len(value) > attribute.max_length:
        raise validation_error(
            f"The length of the '{attribute.logical_name}' attribute of the '{table.logical_name}' entity "
            f"exceeded the maximum allowed length of '{attribute.max_length}'."
        )
    return value


def _validate_integer(table: Table, attribute: Attribute, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _cannot_convert(table, attribute, value)
    if attribute.kind != "BigInt" and not _INT32[0] <= value <= _INT32[1]:
        raise _cannot_convert(table, attribute, value)
    if attribute.kind in ("Picklist", "State", "Status") and attribute.options and value not in attribute.options:
        accepted = ",".join(str(v) for v in attribute.options)
        raise validation_error(
            f"The value {value} of '{attribute.logical_name}' on record of type '{table.logical_name}' is "
            f"outside the valid range. Accepted Values: {accepted}"
        )
    return value


def _validate_boolean(table: Table, attribute: Attribute, value: Any) -> Any:
    if not isinstance(value, bool):
        raise _cannot_convert(table, attribute, value)
    return value


def _validate_datetime(table: Table, attribute: Attribute, value: Any) -> Any:
    if not isinstance(value, str):
        raise _cannot_convert(table, attribute, value)
    try:
        return normalise_datetime(value, attribute.behavior)
    except ValueError as exc:
        raise _cannot_convert(table, attribute, value) from exc


def _validate_guid(table: Table, attribute: Attribute, value: Any) -> Any:
    if not isinstance(value, str) or not GUID_RE.match(value):
        raise _cannot_convert(table, attribute, value)
    return value.lower()


_VALIDATORS: dict[str, Callable[[Table, Attribute, Any], Any]] = {
    "String": _validate_text,
    "Memo": _validate_text,
    "Integer": _validate_integer,
    "BigInt": _validate_integer,
    "Picklist": _validate_integer,
    "State": _validate_integer,
    "Status": _validate_integer,
    "Boolean": _validate_boolean,
    "DateTime": _validate_datetime,
    "Uniqueidentifier": _validate_guid,
}


def _validate_value(table: Table, attribute: Attribute, value: Any) -> Any:
    if value is None:
        return None
    validator = _VALIDATORS.get(attribute.kind)
    return value if validator is None else validator(table, attribute, value)


def _resolve_bind(
    store: Store, table: Table, nav: str, attribute: Attribute, *, value: Any, ctx: WriteContext
) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise payload_error(table.entity_set, f"The value of '{nav}@odata.bind' must be a URL string.")
    reference = value.strip()
    if reference.startswith("$") and ctx.content_ids is not None:
        mapped = ctx.content_ids.get(reference[1:])
        if mapped is None:
            raise ApiError(
                400, "0x80060888", f"Content-ID Reference: '{reference}' does not exist in the batch context."
            )
        reference = mapped
    if "://" in reference:
        reference = urlsplit(reference).path
    reference = unquote(reference)
    if reference.startswith(API_PREFIX):
        reference = reference[len(API_PREFIX) :]
    match = _BIND_RE.match(reference)
    if match is None:
        raise payload_error(
            table.entity_set, f"The URL '{value}' in '{nav}@odata.bind' is not a valid entity reference."
        )
    target_set, target_id = match.group("set"), match.group("id").lower()
    target_logical = attribute.targets[0] if attribute.targets else None
    target_table = store.tables.get(target_set)
    if target_table is not None:
        if target_logical is not None and target_table.logical_name not in attribute.targets:
            raise payload_error(
                table.entity_set, f"The entity set '{target_set}' is not valid for navigation property '{nav}'."
            )
        if target_id not in target_table.rows:
            raise not_found(target_table.logical_name, target_id)
    elif target_logical is not None and target_logical in store.by_logical:
        raise payload_error(
            table.entity_set, f"The entity set '{target_set}' is not valid for navigation property '{nav}'."
        )
    return target_id


def validate_payload(store: Store, table: Table, body: Any, ctx: WriteContext) -> tuple[dict[str, Any], str | None]:
    """``(changes by read name, primary key given in the body)``; raises 400 on any invalid property."""
    if not isinstance(body, dict):
        raise payload_error(table.entity_set, "The request body must be a JSON object.")
    entity = table.entity
    navigations = entity.navigation_properties()
    changes: dict[str, Any] = {}
    chosen_id: str | None = None
    for key, value in body.items():
        if "@" in key:
            prop, _, annotation = key.partition("@")
            if not prop or annotation != "odata.bind":
                continue  # @odata.type, @odata.etag, formatted-value annotations... are ignored
            attribute = navigations.get(prop)
            if attribute is None:
                raise payload_error(
                    table.entity_set,
                    f"An undeclared property '{prop}' which only has property annotations in the payload but no "
                    "property value was found in the payload. In OData, only declared navigation properties and "
                    "declared named streams can be represented as properties without values.",
                )
            if attribute.read_only:
                continue
            changes[attribute.read_name] = _resolve_bind(store, table, prop, attribute, value=value, ctx=ctx)
            continue
        attribute = entity.attributes.get(key)
        if attribute is None or attribute.kind == "Lookup":
            if key.startswith("_") and key.endswith("_value") and key in table.columns:
                raise payload_error(
                    table.entity_set,
                    "CRM do not support direct update of Entity Reference "
                    "properties, Use Navigation properties instead.",
                )
            raise payload_error(
                table.entity_set,
                f"The property '{key}' does not exist on type 'Microsoft.Dynamics.CRM.{table.logical_name}'. Make "
                "sure to only use property names that are defined by the type or mark the type as open type.",
            )
        if attribute.read_only:
            continue
        if key == entity.primary_id:
            chosen_id = _validate_value(table, attribute, value)
            continue
        changes[key] = _validate_value(table, attribute, value)
    if (
        table.logical_name == "contact"
        and "fullname" not in changes
        and any(k in changes for k in ("firstname", "middlename", "lastname"))
    ):
        changes["fullname"] = None  # recomputed from the name parts once merged
    return changes, chosen_id


# --- operations (store lock held) ------------------------------------------------------------------------


def _audit(
    store: Store,
    table: Table,
    operation: str,
    *,
    record_id: str,
    old: Row | None,
    new: Row | None,
    ctx: WriteContext,
    version: int,
) -> None:
    changed: dict[str, dict[str, Any]] = {}
    for name in table.read_names:
        if name in _SYSTEM_COLUMNS or name == table.primary_id:
            continue
        before = old.get(name) if old else None
        after = new.get(name) if new else None
        if before != after:
            changed[name] = {"old": before, "new": after}
    store.add_audit(
        {
            "entity_set": table.entity_set,
            "logical_name": table.logical_name,
            "id": record_id,
            "operation": operation,
            "changes": changed,
            "user": ctx.caller_id,
            "time": ctx.now,
            "versionnumber": version,
        }
    )


def _fullname(row: Row) -> str | None:
    parts = [row.get(k) for k in ("firstname", "middlename", "lastname")]
    text = " ".join(p for p in parts if p)
    return text or None


def _stamp(row: Row, version: int, ctx: WriteContext) -> None:
    row["@odata.etag"] = etag(version)
    row["versionnumber"] = version
    row["modifiedon"] = ctx.now
    row["_modifiedby_value"] = ctx.caller_id


def create(store: Store, table: Table, changes: dict[str, Any], record_id: str | None, ctx: WriteContext) -> Row:
    with store.lock:
        record_id = (record_id or new_guid()).lower()
        if record_id in table.rows:
            raise duplicate_record()
        row = table.blank_row()
        row.update(changes)
        row[table.primary_id] = record_id
        if row.get("statecode") is None:
            row["statecode"] = 0
        if row.get("statuscode") is None:
            row["statuscode"] = 1
        if "fullname" in changes and changes["fullname"] is None:
            row["fullname"] = _fullname(row)
        version = store.next_version()
        _stamp(row, version, ctx)
        row["createdon"] = ctx.now
        row["_createdby_value"] = ctx.caller_id
        store.insert(table, row)
        _audit(store, table, "Create", record_id=record_id, old=None, new=row, ctx=ctx, version=version)
        return row


def _check_if_match(row: Row, if_match: str | None) -> None:
    if if_match is None or if_match.strip() == "*":
        return
    current = row["versionnumber"]
    for candidate in if_match.split(","):
        text = candidate.strip().removeprefix("W/").strip('"')
        if text == str(current):
            return
    raise version_mismatch()


def update(
    store: Store,
    table: Table,
    record_id: str,
    changes: dict[str, Any],
    ctx: WriteContext,
    *,
    if_match: str | None = None,
) -> Row:
    with store.lock:
        old = table.rows.get(record_id)
        if old is None:
            raise not_found(table.logical_name, record_id)
        _check_if_match(old, if_match)
        new = dict(old)
        new.update(changes)
        if "fullname" in changes and changes["fullname"] is None:
            new["fullname"] = _fullname(new)
        version = store.next_version()
        _stamp(new, version, ctx)
        store.replace(table, old, new)
        _audit(store, table, "Update", record_id=record_id, old=old, new=new, ctx=ctx, version=version)
        return new


def upsert(
    store: Store,
    table: Table,
    record_id: str,
    changes: dict[str, Any],
    ctx: WriteContext,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> tuple[Row, bool]:
    """PATCH semantics; returns ``(row, created)``."""
    with store.lock:
        exists = record_id in table.rows
        if if_none_match is not None and if_none_match.strip() == "*":
            if exists:
                raise duplicate_record()
            return create(store, table, changes, record_id, ctx), True
        if if_match is not None:
            return update(store, table, record_id, changes, ctx, if_match=if_match), False
        if exists:
            return update(store, table, record_id, changes, ctx), False
        return create(store, table, changes, record_id, ctx), True


def delete(store: Store, table: Table, record_id: str, ctx: WriteContext, if_match: str | None = None) -> None:
    with store.lock:
        old = table.rows.get(record_id)
        if old is None:
            raise not_found(table.logical_name, record_id)
        _check_if_match(old, if_match)
        version = store.next_version()
        store.remove(table, old, version)
        _audit(store, table, "Delete", record_id=record_id, old=old, new=None, ctx=ctx, version=version)


# --- HTTP handlers -------------------------------------------------------------------------------------------


def _context(sim: Simulator, req: Request) -> WriteContext:
    return WriteContext(
        caller_id=req.caller_id or sim.app_user_id(req.client_id),
        now=sim.clock.iso_now(),
        base_url=req.base_url,
        content_ids=req.content_ids,
    )


def _body(req: Request, table: Table) -> Any:
    if not req.body.strip():
        raise payload_error(table.entity_set, "The request body is empty.")
    try:
        return orjson.loads(req.body)
    except orjson.JSONDecodeError as exc:
        raise payload_error(table.entity_set, f"Invalid JSON. {exc}") from exc


def entity_url(req: Request, table: Table, record_id: str) -> str:
    return f"{req.base_url}{API_PREFIX}/{table.entity_set}({record_id})"


def _representation(sim: Simulator, req: Request, table: Table, row: Row, status: int) -> Response:
    from dqt_simulator.reads import parse_options

    options = parse_options(req)
    validate_select(table, options.select)
    prefs = parse_prefer(req.headers.get_all("Prefer"))
    record = Renderer(sim.store, table, options.select, prefs).one(row)
    body = {
        "@odata.context": f"{req.base_url}{API_PREFIX}/$metadata#{context_fragment(table, options.select)}/$entity",
        **record,
    }
    return json_response(status, body, [("Preference-Applied", "return=representation"), ("ETag", row["@odata.etag"])])


def post_create(sim: Simulator, req: Request, table: Table) -> Response:
    ctx = _context(sim, req)
    changes, chosen = validate_payload(sim.store, table, _body(req, table), ctx)
    row = create(sim.store, table, changes, chosen, ctx)
    if parse_prefer(req.headers.get_all("Prefer")).return_representation:
        return _representation(sim, req, table, row, 201)
    url = entity_url(req, table, row[table.primary_id])
    return Response(204, b"", None, [("OData-EntityId", url)])


def patch_record(sim: Simulator, req: Request, table: Table, record_id: str) -> Response:
    ctx = _context(sim, req)
    changes, chosen = validate_payload(sim.store, table, _body(req, table), ctx)
    if chosen is not None and chosen != record_id:
        raise ApiError(400, "0x80060888", "The primary key in the body does not match the record in the URL.")
    row, created = upsert(
        sim.store,
        table,
        record_id,
        changes,
        ctx,
        if_match=req.headers.get("If-Match"),
        if_none_match=req.headers.get("If-None-Match"),
    )
    if parse_prefer(req.headers.get_all("Prefer")).return_representation:
        return _representation(sim, req, table, row, 201 if created else 200)
    return Response(204, b"", None, [("OData-EntityId", entity_url(req, table, record_id))])


def delete_record(sim: Simulator, req: Request, table: Table, record_id: str) -> Response:
    delete(sim.store, table, record_id, _context(sim, req), req.headers.get("If-Match"))
    return Response(204)


def key_not_defined(table: Table) -> ApiError:
    return ApiError(
        400, "0x80060890", f"The specified key attributes are not a defined key for the {table.logical_name} entity"
    )


def parse_record_key(table: Table, text: str) -> str:
    """The record id in a key segment: ``(<guid>)`` or ``(<primary key>=<guid>)``; alternate keys are not
    defined in the simulator's schema, so anything else is ``EntityKeyNotDefined``."""
    match = _KEY_RE.match(text.strip())
    if match is None or match.group("name") not in (None, table.primary_id):
        raise key_not_defined(table)
    return match.group("id").lower()


def _target_id(table: Table, target: dict[str, Any]) -> str | None:
    odata_id = target.get("@odata.id")
    if isinstance(odata_id, str):
        path = unquote(urlsplit(odata_id).path if "://" in odata_id else odata_id)
        match = _ENTITY_REF_RE.match(path.removeprefix(API_PREFIX))
        if match is None or match.group("set") != table.entity_set:
            raise key_not_defined(table)
        return parse_record_key(table, match.group("key"))
    return None


def post_multiple(sim: Simulator, req: Request, table: Table, action: str) -> Response:
    body = _body(req, table)
    targets = body.get("Targets") if isinstance(body, dict) else None
    if not isinstance(targets, list):
        raise payload_error(table.entity_set, "The 'Targets' parameter is required and must be a collection.")
    ctx = _context(sim, req)
    store = sim.store
    ids: list[str] = []
    with store.transaction():
        for target in targets:
            if not isinstance(target, dict):
                raise payload_error(table.entity_set, "Every target must be an entity object.")
            odata_type = target.get("@odata.type")
            if isinstance(odata_type, str) and odata_type.lstrip("#") != f"Microsoft.Dynamics.CRM.{table.logical_name}":
                raise payload_error(table.entity_set, f"The target type '{odata_type}' does not match the entity set.")
            url_id = _target_id(table, target)
            payload = {k: v for k, v in target.items() if k != "@odata.id"}
            changes, chosen = validate_payload(store, table, payload, ctx)
            record_id = chosen or url_id
            if action == "CreateMultiple":
                row = create(store, table, changes, record_id, ctx)
            elif action == "UpdateMultiple":
                if record_id is None:
                    raise ApiError(
                        400, "0x80040203", f"The primary key '{table.primary_id}' is required for UpdateMultiple."
                    )
                row = update(store, table, record_id, changes, ctx)
            else:
                row, _ = upsert(store, table, record_id or new_guid(), changes, ctx)
            ids.append(row[table.primary_id])
    root = f"{req.base_url}{API_PREFIX}/"
    if action == "UpdateMultiple":
        return Response(204)
    return json_response(
        200, {"@odata.context": f"{root}$metadata#Microsoft.Dynamics.CRM.{action}Response", "Ids": ids}
    )


def check_unknown_property(table: Table, name: str) -> None:
    if name not in table.vtypes:
        raise unknown_property(table.logical_name, name)
