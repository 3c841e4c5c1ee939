"""``__all__`` is exactly the package's public names (httpx's test_exported_members)."""

from __future__ import annotations
import __future__

import types

import dataverse_client


def test_all_matches_public_names() -> None:
    public = {
        name
        for name, value in vars(dataverse_client).items()
        if not name.startswith("_")
        and not isinstance(value, __future__._Feature)
        and (not isinstance(value, types.ModuleType) or name in ("odata", "guid_order"))  # other submodules aren't API
    }
    assert set(dataverse_client.__all__) == public
    assert dataverse_client.__all__ == sorted(dataverse_client.__all__)


def test_every_exported_name_resolves() -> None:
    for name in dataverse_client.__all__:
        assert getattr(dataverse_client, name) is not None


def test_errors_share_one_root() -> None:
    errors = [
        getattr(dataverse_client, n)
        for n in dataverse_client.__all__
        if isinstance(getattr(dataverse_client, n), type) and issubclass(getattr(dataverse_client, n), Exception)
    ]
    assert len(errors) >= 12
    assert all(issubclass(e, dataverse_client.DataverseError) for e in errors)
    for error in errors:
        if error is not dataverse_client.DataverseError:
            assert (error.__doc__ or "").startswith("Raised "), error
