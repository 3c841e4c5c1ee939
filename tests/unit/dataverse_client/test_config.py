"""Settings: read from DQT_* variables, validated, and never showing the secret."""

from __future__ import annotations

import pytest

from dataverse_client import DataverseSettings, Timeout

SECRET = "s3cr3t-value-that-must-not-leak"

ENV = {
    "DQT_BASE_URL": "https://org.crm11.dynamics.com/",
    "DQT_TENANT_ID": "9b6e1c1e-0000-4000-8000-000000000001",
    "DQT_CLIENT_ID": "3f1f5a2c-0000-4000-8000-000000000002",
    "DQT_CLIENT_SECRET": SECRET,
}


def test_from_env_reads_required_and_defaults_the_rest() -> None:
    settings = DataverseSettings.from_env(ENV)
    assert settings.base_url == "https://org.crm11.dynamics.com"
    assert settings.api_url == "https://org.crm11.dynamics.com/api/data/v9.2/"
    assert settings.scope == "https://org.crm11.dynamics.com/.default"
    assert settings.authority == "https://login.microsoftonline.com/9b6e1c1e-0000-4000-8000-000000000001"
    assert settings.instance_discovery is True
    assert settings.ca_bundle is None
    assert settings.verify is True
    assert settings.page_size == 5000
    assert settings.timeout == Timeout(connect=10.0, read=120.0)
    assert settings.max_retry_seconds == 120.0


def test_from_env_with_simulator_authority_and_ca() -> None:
    env = {**ENV, "DQT_AUTHORITY": "https://127.0.0.1:8443/tenant/", "DQT_CA_BUNDLE": "/tmp/ca.pem"}
    settings = DataverseSettings.from_env(env)
    assert settings.authority == "https://127.0.0.1:8443/tenant"
    assert settings.instance_discovery is False  # msal must not ask login.microsoftonline.com about it
    assert settings.verify == "/tmp/ca.pem"


def test_from_env_names_every_missing_variable_without_values() -> None:
    env = {"DQT_BASE_URL": "https://org.crm.dynamics.com", "DQT_CLIENT_SECRET": SECRET}
    with pytest.raises(ValueError, match="DQT_TENANT_ID, DQT_CLIENT_ID") as info:
        DataverseSettings.from_env(env)
    assert SECRET not in str(info.value)


def test_from_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert DataverseSettings.from_env().client_id == ENV["DQT_CLIENT_ID"]


def test_repr_and_str_never_show_the_secret() -> None:
    settings = DataverseSettings.from_env(ENV)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in f"{settings}"
    assert "client_secret" not in repr(settings)
    assert settings.client_secret == SECRET


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("base_url", "http://org.crm.dynamics.com", "https"),
        ("authority", "http://127.0.0.1/tenant", "https"),
        ("page_size", 5001, "page_size"),
        ("page_size", 0, "page_size"),
        ("client_secret", "", "client_secret"),
        ("max_retry_seconds", -1, "max_retry_seconds"),
        ("max_connections", 0, "max_connections"),
    ],
)
def test_invalid_settings_are_refused(field: str, value: object, match: str) -> None:
    values: dict[str, object] = {
        "base_url": "https://org.crm.dynamics.com",
        "tenant_id": "t",
        "client_id": "c",
        "client_secret": SECRET,
        field: value,
    }
    with pytest.raises(ValueError, match=match) as info:
        DataverseSettings(**values)  # type: ignore[arg-type]
    assert SECRET not in str(info.value)


def test_settings_are_frozen() -> None:
    settings = DataverseSettings.from_env(ENV)
    with pytest.raises(AttributeError):
        settings.client_secret = "x"  # type: ignore[misc]


def test_timeouts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Timeout(connect=0)
