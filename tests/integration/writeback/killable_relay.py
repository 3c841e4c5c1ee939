"""A test-only relay that SIGKILLs itself right after DQT accepted a write, before TRS recorded it.

Run as a child process with ``DQT_*`` and ``TRS_DATABASE_URL`` in the environment. The hook wraps
``trs_store.outbox.mark_sent`` (the first write of the transaction that records a delivery): when it is
called, DQT has already committed the write, and dying there loses TRS's record of it. It takes one message
per run (the others stay free for the next run). Nothing in the bridge knows about this. Exits 0 and prints
``completed`` if nothing was delivered.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from bridge.config import BridgeSettings, open_client
from bridge.logging import configure
from bridge.writeback import relay_pending
from trs_store import make_engine, outbox


def main() -> None:
    configure("ERROR")
    settings = BridgeSettings.from_env()

    def die(*_: Any, **__: Any) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    outbox.mark_sent = die  # type: ignore[assignment]
    result = relay_pending(make_engine(settings.database_url), open_client(), limit=1)
    print("completed", result.as_json(), result.outcomes)


if __name__ == "__main__":
    main()
