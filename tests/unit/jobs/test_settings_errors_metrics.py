"""Fleet settings from the environment, value-free error descriptions, and the metrics hooks."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from sqlalchemy.exc import OperationalError

from bridge import metrics
from bridge.errors import ConfigError
from bridge.feeds import FEEDS
from bridge.fleet import FleetSettings
from bridge.worker import describe_error, is_transient_db_error
from dataverse_client import CallRecord, NotFound
from trs_store.sync_runs import RunCounts


class TestSettings:
    def test_defaults_are_dataverse_service_protection(self) -> None:
        settings = FleetSettings.from_env({})
        assert settings.redis_url is None
        assert settings.prefix == "trs-bridge"
        assert settings.namespace == "trs-bridge:dramatiq"
        assert settings.rate_limits.requests_per_window == 6000
        assert settings.rate_limits.window_seconds == 300
        assert settings.rate_limits.concurrency == 52
        assert settings.max_retries == 3

    def test_overrides(self) -> None:
        settings = FleetSettings.from_env(
            {
                "REDIS_URL": "redis://h:6379/3",
                "TRS_BRIDGE_REDIS_PREFIX": "t1",
                "TRS_BRIDGE_DQT_CONCURRENCY": "4",
                "TRS_BRIDGE_LEASE_TTL": "2.5",
                "TRS_BRIDGE_JOB_MAX_RETRIES": "0",
            }
        )
        assert (settings.redis_url, settings.prefix, settings.rate_limits.concurrency) == ("redis://h:6379/3", "t1", 4)
        assert settings.lease_ttl_seconds == 2.5
        assert settings.max_retries == 0
        assert settings.key("lease", "sync", "contacts") == "t1:lease:sync:contacts"

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("TRS_BRIDGE_DQT_CONCURRENCY", "many"),
            ("TRS_BRIDGE_DQT_CONCURRENCY", "0"),
            ("TRS_BRIDGE_REDIS_PREFIX", "a b"),
        ],
    )
    def test_bad_values_are_config_errors_naming_the_variable(self, name: str, value: str) -> None:
        with pytest.raises(ConfigError, match=name):
            FleetSettings.from_env({name: value})


class TestErrorDescriptions:
    def test_our_errors_are_kept_whole(self) -> None:
        error = NotFound("contact With Id = 1 Does Not Exist", status=404, entity_set="contacts")
        assert describe_error(error).startswith("NotFound: contact With Id = 1")

    def test_a_database_error_loses_its_parameters_and_detail(self) -> None:
        class Driver(Exception):
            sqlstate = "40P01"

        error = OperationalError(
            "INSERT INTO persons ...", {"first_name": "Jane"}, Driver("deadlock detected\nDETAIL: Key (x)=(Jane)")
        )
        text = describe_error(error)
        assert text == "OperationalError: Driver: deadlock detected"
        assert "Jane" not in text
        assert is_transient_db_error(error)

    def test_anything_else_keeps_only_its_type(self) -> None:
        assert describe_error(ValueError("Jane Example")) == (
            "ValueError (message withheld: it may hold data; see the worker log)"
        )
        assert not is_transient_db_error(ValueError("x"))


def value(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestMetrics:
    def test_calls_pages_and_waits_are_counted(self) -> None:
        before_429 = value("trs_bridge_dataverse_throttled_total", {})
        before_calls = value("trs_bridge_dataverse_calls_total", {"method": "GET", "entity_set": "x", "status": "429"})
        metrics.observe_call(CallRecord("GET", "x", 429, 0.1, 0, 10, 1))
        assert value("trs_bridge_dataverse_throttled_total", {}) == before_429 + 1
        assert (
            value("trs_bridge_dataverse_calls_total", {"method": "GET", "entity_set": "x", "status": "429"})
            == before_calls + 1
        )
        labels = {"entity_set": FEEDS[0].entity_set, "result": "inserted"}
        before = value("trs_bridge_records_applied_total", labels)
        metrics.observe_page(FEEDS[0], RunCounts(pages=1, seen=5, inserted=3, failed=2), 0.2)
        assert value("trs_bridge_records_applied_total", labels) == before + 3
        metrics.observe_wait("window", 1.5)
        assert value("trs_bridge_rate_limit_wait_seconds_total", {"reason": "window"}) >= 1.5

    def test_fleet_gauges_are_read_at_scrape_time_and_a_failing_source_is_skipped(self) -> None:
        registry = CollectorRegistry()

        def broken() -> dict[tuple[str, str], int]:
            raise ConnectionError("redis away")

        registry.register(metrics.FleetCollector(queue_depths=broken, paused=lambda: {"contacts": "cut-over"}))
        assert registry.get_sample_value("trs_bridge_paused", {"entity_set": "contacts"}) == 1.0
        assert registry.get_sample_value("trs_bridge_queue_messages", {"queue": "sync", "state": "ready"}) is None
        registry.register(metrics.FleetCollector(queue_depths=lambda: {("sync", "dead"): 2}))
        assert registry.get_sample_value("trs_bridge_queue_messages", {"queue": "sync", "state": "dead"}) == 2.0
