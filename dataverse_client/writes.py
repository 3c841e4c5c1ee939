"""Writes: create, update, upsert, delete, ``$batch`` and the ``*Multiple`` actions.

Each write states whether it is idempotent, which is what the retry policy needs to know before it
repeats a request after an ambiguous failure (see :mod:`.retry`). Any write can act for a user via
``caller_object_id`` (the ``CallerObjectId`` header, an Entra object id).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import orjson

from . import odata
from .batch import BatchItem, BatchResult, build_batch, check_etag, operations_of, parse_batch_response
from .core import ClientCore, Key, impersonation
from .errors import DataverseError
from .paging import Record
from .transport import Prefer, decode_json, error_from_response

__all__ = ["WriteMethods"]


class WriteMethods(ClientCore):
    """``create``, ``update``, ``upsert``, ``delete``, ``batch``, ``create_multiple``, ``update_multiple``."""

    @overload
    def create(
        self,
        entity_set: str,
        body: Mapping[str, Any],
        *,
        id: str | uuid.UUID | None = None,
        primary_key: str | None = None,
        return_representation: Literal[False] = False,
        caller_object_id: str | uuid.UUID | None = None,
    ) -> str: ...

    @overload
    def create(
        self,
        entity_set: str,
        body: Mapping[str, Any],
        *,
        id: str | uuid.UUID | None = None,
        primary_key: str | None = None,
        return_representation: Literal[True],
        caller_object_id: str | uuid.UUID | None = None,
    ) -> Record: ...

    def create(
        self,
        entity_set: str,
        body: Mapping[str, Any],
        *,
        id: str | uuid.UUID | None = None,
        primary_key: str | None = None,
        return_representation: bool = False,
        caller_object_id: str | uuid.UUID | None = None,
    ) -> str | Record:
        """Create a record; returns its id (or, with ``return_representation``, the created row).

        With ``id`` the record is created under that primary key (``primary_key``, else resolved from
        metadata), which also makes the create safe to retry after an ambiguous failure.
        """
        payload = dict(body)
        if id is not None:
            record_id = str(odata.guid(id))
            pk = odata.name(primary_key) if primary_key else self.entity_info(entity_set).primary_id
            if pk in payload and str(payload[pk]).lower() != record_id:
                raise ValueError(f"body already holds a different {pk}")
            payload[pk] = record_id
        response = self._request(
            "POST",
            self._url(odata.name(entity_set)),
            entity_set=entity_set,
            idempotent=id is not None,
            body=orjson.dumps(payload),
            prefer=Prefer(return_representation=True) if return_representation else None,
            headers=impersonation(caller_object_id),
        )
        if return_representation:
            return decode_json(response)
        created = odata.entity_id_from_url(response.headers.get("OData-EntityId") or response.headers.get("Location"))
        if created is None:
            if id is not None:
                return str(odata.guid(id))
            raise DataverseError("create succeeded but Dataverse sent no OData-EntityId", entity_set=entity_set)
        return created

    def update(
        self,
        entity_set: str,
        key: Key,
        body: Mapping[str, Any],
        *,
        if_match: str = "*",
        caller_object_id: str | uuid.UUID | None = None,
    ) -> None:
        """Update an existing record (``PATCH`` with ``If-Match``). ``if_match="*"`` requires only that it
        exists (else :class:`~.errors.NotFound`); an ETag (``W/"123"``) also requires that it has not
        changed since (else :class:`~.errors.ConcurrencyConflict`)."""
        headers = {"If-Match": check_etag(if_match), **impersonation(caller_object_id)}
        self._request(
            "PATCH",
            self._url(odata.name(entity_set) + odata.key(key)),
            entity_set=entity_set,
            idempotent=True,
            body=orjson.dumps(dict(body)),
            headers=headers,
        )

    def upsert(
        self,
        entity_set: str,
        key: Key,
        body: Mapping[str, Any],
        *,
        caller_object_id: str | uuid.UUID | None = None,
    ) -> str | None:
        """Create or update (``PATCH`` without ``If-Match``); returns the record id when Dataverse
        reports it (``OData-EntityId``)."""
        response = self._request(
            "PATCH",
            self._url(odata.name(entity_set) + odata.key(key)),
            entity_set=entity_set,
            idempotent=True,
            body=orjson.dumps(dict(body)),
            headers=impersonation(caller_object_id),
        )
        reported = odata.entity_id_from_url(response.headers.get("OData-EntityId"))
        if reported is None and not isinstance(key, Mapping):
            return str(odata.guid(key))
        return reported

    def delete(
        self,
        entity_set: str,
        key: Key,
        *,
        if_match: str = "*",
        caller_object_id: str | uuid.UUID | None = None,
    ) -> None:
        """Delete a record; ``if_match`` as for :meth:`update`."""
        headers = {"If-Match": check_etag(if_match), **impersonation(caller_object_id)}
        self._request(
            "DELETE",
            self._url(odata.name(entity_set) + odata.key(key)),
            entity_set=entity_set,
            idempotent=True,
            headers=headers,
        )

    def batch(
        self,
        items: Sequence[BatchItem],
        *,
        continue_on_error: bool = False,
        caller_object_id: str | uuid.UUID | None = None,
    ) -> BatchResult:
        """Send operations and change sets in one ``$batch``; returns each part's result in order.

        Without ``continue_on_error`` Dataverse stops at the first failure (rolling back its change
        set) and that part's typed error is raised. With it, every part runs and failures are returned
        inline (``BatchResult.errors`` / ``raise_for_errors()``).
        """
        operations = operations_of(items)
        acting_as = impersonation(caller_object_id)
        content_type, body = build_batch(items, api_url=self.settings.api_url, part_headers=acting_as)
        response = self._request(
            "POST",
            self._url("$batch"),
            entity_set="$batch",
            idempotent=all(op.idempotent for op in operations),
            body=body,
            content_type=content_type,
            prefer=Prefer(continue_on_error=True) if continue_on_error else None,
            headers=acting_as,
            accept_multipart_error=True,
        )
        result = BatchResult(parse_batch_response(response.headers.get("Content-Type", ""), response.content))
        if response.status_code >= 400:
            result.raise_for_errors()
            raise error_from_response(response.status_code, response.headers, b"", method="POST", entity_set="$batch")
        if not continue_on_error:
            result.raise_for_errors()
        return result

    def create_multiple(
        self,
        entity_set: str,
        records: Sequence[Mapping[str, Any]],
        *,
        caller_object_id: str | uuid.UUID | None = None,
    ) -> list[str]:
        """Create many records in one all-or-nothing ``CreateMultiple`` call; returns their ids.
        Retried after ambiguous failures only if every record carries its primary key."""
        info = self.entity_info(entity_set)
        targets = [{"@odata.type": f"Microsoft.Dynamics.CRM.{info.logical_name}", **r} for r in records]
        if not targets:
            return []
        response = self._request(
            "POST",
            self._url(f"{info.entity_set}/Microsoft.Dynamics.CRM.CreateMultiple"),
            entity_set=entity_set,
            idempotent=all(info.primary_id in r for r in records),
            body=orjson.dumps({"Targets": targets}),
            headers=impersonation(caller_object_id),
        )
        ids = decode_json(response).get("Ids")
        if not isinstance(ids, list):
            raise DataverseError("CreateMultiple returned no Ids", entity_set=entity_set)
        return [str(i) for i in ids]

    def update_multiple(
        self,
        entity_set: str,
        records: Sequence[Mapping[str, Any]],
        *,
        caller_object_id: str | uuid.UUID | None = None,
    ) -> None:
        """Update many records (each must carry its primary key) in one all-or-nothing call."""
        info = self.entity_info(entity_set)
        for record in records:
            odata.guid(str(record.get(info.primary_id, "")))
        if not records:
            return
        targets = [{"@odata.type": f"Microsoft.Dynamics.CRM.{info.logical_name}", **r} for r in records]
        self._request(
            "POST",
            self._url(f"{info.entity_set}/Microsoft.Dynamics.CRM.UpdateMultiple"),
            entity_set=entity_set,
            idempotent=True,
            body=orjson.dumps({"Targets": targets}),
            headers=impersonation(caller_object_id),
        )
