"""Dataverse-shaped errors: an exception carrying HTTP status, hex error code and message.

Handlers raise :class:`ApiError`; the router turns it into ``{"error":{"code":...,"message":...}}``
with the status (and any extra headers, e.g. ``Retry-After``). The helpers give the exact wording
Dataverse uses for the errors clients depend on.
"""

from __future__ import annotations

import orjson


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> bytes:
        return orjson.dumps({"error": {"code": self.code, "message": self.message}})


def not_found(logical_name: str, record_id: str) -> ApiError:
    return ApiError(404, "0x80040217", f"{logical_name} With Id = {record_id} Does Not Exist")


def duplicate_record() -> ApiError:
    return ApiError(412, "0x80040237", "A record with matching key values already exists.")


def version_mismatch() -> ApiError:
    return ApiError(
        412, "0x80060882", "The version of the existing record doesn't match the RowVersion property provided."
    )


def unknown_property(logical_name: str, name: str) -> ApiError:
    return ApiError(
        400, "0x80060888", f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{logical_name}'."
    )


def bad_query(message: str) -> ApiError:
    return ApiError(400, "0x80060888", message)


def payload_error(entity_set: str, inner: str) -> ApiError:
    return ApiError(
        400,
        "0x80048d19",
        f"Error identified in Payload provided by the user for Entity :'{entity_set}', For more information on "
        "this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  "
        f"InnerException : Microsoft.OData.ODataException: {inner}",
    )


def validation_error(message: str) -> ApiError:
    return ApiError(400, "0x80044331", f"A validation error occurred. {message}")


def expired_version_stamp() -> ApiError:
    return ApiError(
        400, "0x80044352", "Version stamp associated with the client has expired. Please perform a full sync."
    )


def change_tracking_not_enabled(logical_name: str) -> ApiError:
    return ApiError(400, "0x80072491", f"Entity {logical_name} isn't enabled for change tracking.")


def unauthenticated(message: str = "The requested resource requires authentication.") -> ApiError:
    return ApiError(401, "0x8005F101", message)


def method_not_allowed(method: str, path: str) -> ApiError:
    return ApiError(405, "0x80060888", f"The HTTP method '{method}' is not allowed for the resource '{path}'.")


def resource_not_found(path: str) -> ApiError:
    return ApiError(404, "0x80060888", f"Resource not found for the segment '{path}'.")
