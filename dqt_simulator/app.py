"""The simulator's state in one object: configuration, clock, store, authority, knobs and logs.

Handlers receive this object; nothing else is global, so tests can build one in-process.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from dqt_simulator.authority import Authority
from dqt_simulator.change_tracking import DeltaCache
from dqt_simulator.clock import SimClock
from dqt_simulator.config import SimConfig
from dqt_simulator.faults import FaultInjector
from dqt_simulator.loader import load
from dqt_simulator.querying import SortCache
from dqt_simulator.requestlog import RequestLog
from dqt_simulator.schema import ENTITIES
from dqt_simulator.store import Store
from dqt_simulator.throttle import Throttle

_NAMESPACE = uuid.UUID("c6a1f3d2-8e4b-4a7c-9d15-3b2e0f6a8c41")


class Simulator:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.clock = SimClock()
        self.store = Store(ENTITIES, config.untracked_sets)
        self.authority = Authority(
            self.clock, config.tenant_id, {config.client_id: config.client_secret}, config.token_lifetime
        )
        self.faults = FaultInjector(config.faults, config.seed)
        self.throttle = Throttle(self.clock, replace(config.limits))
        self.requests = RequestLog()
        self.delta_cache = DeltaCache()
        self.sort_cache = SortCache()
        self.retention_seconds = config.change_tracking_retention
        self.organization_id = str(uuid.uuid5(_NAMESPACE, f"org:{config.tenant_id}"))
        self.business_unit_id = str(uuid.uuid5(_NAMESPACE, f"bu:{config.tenant_id}"))
        self.store.user_names[self.app_user_id(config.client_id)] = "# dqt-sim application user"

    def app_user_id(self, client_id: str | None) -> str:
        """The ``systemuserid`` of the application user for an app registration (stable per client id)."""
        return str(uuid.uuid5(_NAMESPACE, f"appuser:{client_id or self.config.client_id}"))

    def load_data(self, *, log: bool = True) -> dict[str, int]:
        return load(
            self.store,
            self.config.data_dir,
            now=self.clock.iso_now(),
            app_user_id=self.app_user_id(self.config.client_id),
            log=log,
        )

    def reset(self) -> None:
        """Faults, limits, clock and request log back to start-up state (the data is kept)."""
        self.faults.reset()
        self.throttle.reset(replace(self.config.limits))
        self.clock.reset()
        self.requests.clear()
