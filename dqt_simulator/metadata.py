"""Metadata endpoints: ``EntityDefinitions`` (as Microsoft's SDK and Airbyte query it), the service
document, ``$metadata`` (a compact CSDL) and ``WhoAmI``.

Supported shapes::

    EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute&$filter=LogicalName eq 'contact'
    EntityDefinitions?$expand=Attributes            (and Attributes($select=...))
    EntityDefinitions(LogicalName='contact')        EntityDefinitions(<MetadataId>)
    EntityDefinitions(LogicalName='x')/Attributes[/Microsoft.Dynamics.CRM.<Type>AttributeMetadata]
        ?$select=LogicalName&$expand=OptionSet($select=Options)
    EntityDefinitions(LogicalName='x')/Attributes(LogicalName='y')
    EntityDefinitions(LogicalName='x')/Keys

``$filter`` on definitions and attributes runs through the same OData engine as record queries.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from dqt_simulator.errors import ApiError, bad_query
from dqt_simulator.httpmsg import Request, Response, json_response
from dqt_simulator.odata.evaluate import FilterError, UnknownPropertyError, compile_filter
from dqt_simulator.odata.query import QueryOptions, parse_expand
from dqt_simulator.schema import Attribute, EntityDef
from dqt_simulator.store import Table

if TYPE_CHECKING:
    from dqt_simulator.app import Simulator

_NAMESPACE = uuid.UUID("0b9d3c54-2f41-4f6e-8a53-6c1d2e7f9a10")
_TYPE_NAMES = {
    "String": "String",
    "Memo": "Memo",
    "Integer": "Integer",
    "BigInt": "BigInt",
    "Picklist": "Picklist",
    "State": "State",
    "Status": "Status",
    "Boolean": "Boolean",
    "DateTime": "DateTime",
    "Lookup": "Lookup",
    "Uniqueidentifier": "UniqueIdentifier",
}
_ENTITY_KEY_RE = re.compile(r"^\((?:LogicalName=)?'?(?P<key>[^')]+)'?\)")
_EDM = {
    "String": "Edm.String",
    "Memo": "Edm.String",
    "Integer": "Edm.Int32",
    "BigInt": "Edm.Int64",
    "Picklist": "Edm.Int32",
    "State": "Edm.Int32",
    "Status": "Edm.Int32",
    "Boolean": "Edm.Boolean",
    "Uniqueidentifier": "Edm.Guid",
    "Lookup": "Edm.Guid",
}


def metadata_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _label(text: str) -> dict[str, Any]:
    localized = {
        "Label": text,
        "LanguageCode": 1033,
        "IsManaged": True,
        "MetadataId": metadata_id("label", text),
        "HasChanged": None,
    }
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def _display(name: str) -> str:
    return name.removeprefix("dfeta_").replace("_", " ").title()


def attribute_metadata(entity: EntityDef, attribute: Attribute, *, with_option_set: bool = False) -> dict[str, Any]:
    type_name = _TYPE_NAMES.get(attribute.kind, attribute.kind)
    data: dict[str, Any] = {
        "@odata.type": f"#Microsoft.Dynamics.CRM.{type_name}AttributeMetadata",
        "LogicalName": attribute.logical_name,
        "SchemaName": attribute.navigation or attribute.logical_name,
        "AttributeType": attribute.kind,
        "AttributeTypeName": {"Value": f"{attribute.kind}Type"},
        "EntityLogicalName": entity.logical_name,
        "MetadataId": metadata_id(entity.logical_name, attribute.logical_name),
        "IsPrimaryId": attribute.logical_name == entity.primary_id,
        "IsPrimaryName": attribute.logical_name == entity.primary_name,
        "IsCustomAttribute": attribute.logical_name.startswith("dfeta_"),
        "IsValidForRead": True,
        "IsValidForCreate": not attribute.read_only,
        "IsValidForUpdate": not attribute.read_only and attribute.logical_name != entity.primary_id,
        "AttributeOf": None,
        "DisplayName": _label(_display(attribute.logical_name)),
    }
    if attribute.kind in ("String", "Memo"):
        data["MaxLength"] = attribute.max_length
    if attribute.kind == "DateTime":
        data["DateTimeBehavior"] = {"Value": attribute.behavior or "UserLocal"}
        data["Format"] = "DateOnly" if attribute.behavior == "DateOnly" else "DateAndTime"
    if attribute.kind == "Lookup":
        data["Targets"] = list(attribute.targets)
    if attribute.kind in ("Picklist", "State", "Status") and with_option_set:
        data["OptionSet"] = {
            "MetadataId": metadata_id(entity.logical_name, attribute.logical_name, "optionset"),
            "Name": f"{entity.logical_name}_{attribute.logical_name}",
            "IsGlobal": False,
            "OptionSetType": attribute.kind,
            "Options": [{"Value": value, "Label": _label(label)} for value, label in (attribute.options or {}).items()],
        }
    return data


def entity_metadata(table: Table) -> dict[str, Any]:
    entity = table.entity
    return {
        "MetadataId": metadata_id(entity.logical_name),
        "LogicalName": entity.logical_name,
        "SchemaName": entity.schema_name,
        "EntitySetName": entity.entity_set,
        "LogicalCollectionName": entity.entity_set,
        "CollectionSchemaName": entity.entity_set,
        "PrimaryIdAttribute": entity.primary_id,
        "PrimaryNameAttribute": entity.primary_name,
        "ObjectTypeCode": entity.object_type_code,
        "ChangeTrackingEnabled": table.tracked,
        "CanChangeTrackingBeEnabled": {
            "Value": True,
            "CanBeChanged": False,
            "ManagedPropertyLogicalName": "canchangetrackingbeenabled",
        },
        "IsCustomEntity": entity.logical_name.startswith("dfeta_"),
        "IsActivity": False,
        "IsIntersect": False,
        "IsOptimisticConcurrencyEnabled": True,
        "OwnershipType": "UserOwned",
        "DisplayName": _label(_display(entity.logical_name)),
    }


# --- option parsing ----------------------------------------------------------------------------------


def _project(data: dict[str, Any], select: list[str] | None, keep: tuple[str, ...] = ("MetadataId",)) -> dict[str, Any]:
    if select is None:
        return data
    out = {k: data[k] for k in ("@odata.type",) if k in data}
    for name in select:
        if name in data:
            out[name] = data[name]
    for name in keep:
        if name in data:
            out[name] = data[name]
    return out


def _metadata_filter(options: QueryOptions, sample: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    if options.filter is None:
        return lambda item: True

    def resolve(name: str) -> str:
        if name not in sample:
            raise UnknownPropertyError(name)
        value = sample[name]
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int"
        if isinstance(value, str) or value is None:
            return "string"
        raise FilterError(f"The property '{name}' cannot be used in $filter.")

    try:
        return compile_filter(options.filter, resolve)
    except UnknownPropertyError as exc:
        raise bad_query(
            f"Could not find a property named '{exc.name}' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."
        ) from exc
    except FilterError as exc:
        raise bad_query(str(exc)) from exc


def _entity_not_found(key: str) -> ApiError:
    return ApiError(404, "0x80040217", f"Could not find an entity with the specified name or id: '{key}'.")


def _find_table(sim: Simulator, key: str) -> Table:
    lowered = key.lower()
    for table in sim.store.tables.values():
        if table.logical_name == lowered or metadata_id(table.logical_name) == lowered:
            return table
    raise _entity_not_found(key)


def _attributes(table: Table, cast: str | None, with_option_set: bool) -> list[dict[str, Any]]:
    items = [
        attribute_metadata(table.entity, a, with_option_set=with_option_set) for a in table.entity.attributes.values()
    ]
    if cast:
        items = [i for i in items if i["@odata.type"] == f"#{cast}"]
    return items


def _with_attributes(table: Table, item: dict[str, Any], expand: dict[str, list[str] | None]) -> dict[str, Any]:
    if "Attributes" in expand:
        item["Attributes"] = [_project(a, expand["Attributes"]) for a in _attributes(table, None, False)]
    return item


def handle_entity_definitions(sim: Simulator, req: Request, rel: str, options: QueryOptions) -> Response:
    root = f"{req.base_url}/api/data/v9.2/"
    rest = rel[len("EntityDefinitions") :]
    expand = parse_expand(options.expand)
    if not rest:
        return _definitions(sim, root, options, expand)
    match = _ENTITY_KEY_RE.match(rest)
    if match is None:
        raise bad_query(f"Invalid EntityDefinitions key in '{rel}'.")
    table = _find_table(sim, match.group("key"))
    tail = rest[match.end() :].lstrip("/")
    if not tail:
        item = _with_attributes(table, _project(entity_metadata(table), options.select), expand)
        return json_response(200, {"@odata.context": f"{root}$metadata#EntityDefinitions/$entity", **item})
    if tail == "Keys" or tail.startswith("Keys("):
        context = f"{root}$metadata#EntityDefinitions('{table.logical_name}')/Keys"
        return json_response(200, {"@odata.context": context, "value": []})
    if not tail.startswith("Attributes"):
        raise bad_query(f"Unsupported metadata segment '{tail}'.")
    return _attribute_definitions(table, root, tail[len("Attributes") :], options, expand)


def _definitions(sim: Simulator, root: str, options: QueryOptions, expand: dict[str, list[str] | None]) -> Response:
    tables = list(sim.store.tables.values())
    definitions = [entity_metadata(t) for t in tables]
    keep = _metadata_filter(options, definitions[0])
    values = [
        _with_attributes(table, _project(data, options.select), expand)
        for table, data in zip(tables, definitions, strict=True)
        if keep(data)
    ]
    context = f"{root}$metadata#EntityDefinitions" + (f"({','.join(options.select)})" if options.select else "")
    return json_response(200, {"@odata.context": context, "value": values})


def _attribute_definitions(
    table: Table, root: str, tail: str, options: QueryOptions, expand: dict[str, list[str] | None]
) -> Response:
    single: str | None = None
    key_match = _ENTITY_KEY_RE.match(tail)
    if key_match is not None:
        single = key_match.group("key").lower()
        tail = tail[key_match.end() :]
    cast = tail.lstrip("/") or None
    with_options = "OptionSet" in expand or "GlobalOptionSet" in expand
    option_select = expand.get("OptionSet")
    items = _attributes(table, cast, with_options)
    if with_options and option_select:
        for item in items:
            if "OptionSet" in item:
                item["OptionSet"] = _project(item["OptionSet"], option_select)
    keep_fields = ("MetadataId", "OptionSet") if with_options else ("MetadataId",)
    base_context = f"{root}$metadata#EntityDefinitions('{table.logical_name}')/Attributes"
    if single is not None:
        found = [i for i in items if single in (i["LogicalName"], i["MetadataId"])]
        if not found:
            raise ApiError(404, "0x80040217", f"Could not find attribute '{single}' on entity '{table.logical_name}'.")
        return json_response(
            200, {"@odata.context": f"{base_context}/$entity", **_project(found[0], options.select, keep_fields)}
        )
    if items:
        keep = _metadata_filter(options, items[0])
        items = [i for i in items if keep(i)]
    values = [_project(i, options.select, keep_fields) for i in items]
    return json_response(200, {"@odata.context": base_context + (f"/{cast}" if cast else ""), "value": values})


def service_document(sim: Simulator, req: Request) -> Response:
    root = f"{req.base_url}/api/data/v9.2/"
    value = [{"name": t.entity_set, "kind": "EntitySet", "url": t.entity_set} for t in sim.store.tables.values()]
    value.append({"name": "EntityDefinitions", "kind": "EntitySet", "url": "EntityDefinitions"})
    return json_response(200, {"@odata.context": f"{root}$metadata", "value": value})


def who_am_i(sim: Simulator, req: Request) -> Response:
    root = f"{req.base_url}/api/data/v9.2/"
    body = {
        "@odata.context": f"{root}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
        "BusinessUnitId": sim.business_unit_id,
        "UserId": req.caller_id or sim.app_user_id(req.client_id),
        "OrganizationId": sim.organization_id,
    }
    return json_response(200, body, [("x-ms-dop-hint", str(sim.config.dop_hint))])


def csdl(sim: Simulator) -> Response:
    """A compact CSDL document: entity types with their properties, lookups' navigation properties, sets."""
    types, sets = [], []
    for table in sim.store.tables.values():
        entity = table.entity
        props = [f'<Key><PropertyRef Name="{entity.primary_id}" /></Key>']
        for attribute in entity.attributes.values():
            if attribute.kind == "DateTime":
                edm = "Edm.Date" if attribute.behavior == "DateOnly" else "Edm.DateTimeOffset"
            else:
                edm = _EDM.get(attribute.kind, "Edm.String")
            props.append(f'<Property Name="{escape(attribute.read_name)}" Type="{edm}" />')
            if attribute.navigation and attribute.targets:
                props.append(
                    f'<NavigationProperty Name="{escape(attribute.navigation)}" '
                    f'Type="mscrm.{escape(attribute.targets[0])}" />'
                )
        types.append(f'<EntityType Name="{entity.logical_name}">{"".join(props)}</EntityType>')
        sets.append(
            f'<EntitySet Name="{entity.entity_set}" EntityType="Microsoft.Dynamics.CRM.{entity.logical_name}" />'
        )
    document = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>'
        '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
        f'{"".join(types)}<EntityContainer Name="System">{"".join(sets)}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )
    return Response(200, document.encode(), "application/xml")
