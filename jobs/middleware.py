"""dramatiq middleware of the bridge: log context, a failure ledger, scrubbed tracebacks, a stop flag.

* :class:`LogContext` clears structlog's contextvars before and after every message and binds the message id,
  actor and entity, so nothing one message bound (run id, page) leaks into the next on a reused thread.
* :class:`FailureLedger` writes every message dramatiq gives up on (retries exhausted, or a ``throws`` error)
  into the TRS store's ``sync_runs`` (:meth:`bridge.worker.Runtime.record_gave_up`): dramatiq's dead-letter
  queue forgets after 7 days and is wiped by ``flush``, the store does not (ADR 0043).
* :class:`ScrubTracebacks` keeps only the exception's type of the traceback the Retries middleware stores
  in the message: a message lives in Redis (and its dead-letter queue) for days, and an exception message is
  the one place a value could slip in. The full traceback is in the worker's log.
* :class:`StopOnShutdown` sets the process's stop flag when the worker begins to shut down, so a sync stops at
  its next page boundary instead of running to the end of a long pass.
"""

from __future__ import annotations

from typing import Any

import structlog
from dramatiq import Broker, Middleware, Worker
from dramatiq.broker import MessageProxy
from dramatiq.message import Message

from bridge import metrics
from bridge.logging import new_job_context
from bridge.worker import RuntimeFactory

log = structlog.get_logger("jobs")


class LogContext(Middleware):
    """Fresh structlog contextvars per message: ``message_id``, ``actor`` and the ``entity`` it is about."""

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        context: dict[str, Any] = {"message_id": message.message_id, "actor": message.actor_name}
        if message.actor_name == "sync_entity" and message.args:
            context["entity"] = message.args[0]
        elif message.actor_name == "backfill_shard" and len(message.args) >= 2:
            context.update(backfill_run_id=message.args[0], shard=message.args[1])
        new_job_context(**context)

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        new_job_context()

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        new_job_context()


class ScrubTracebacks(Middleware):
    """Replace the traceback the Retries middleware puts in a message's options with the exception type."""

    def before_enqueue(self, broker: Broker, message: Message[Any], delay: int) -> None:
        traceback = message.options.get("traceback")
        if isinstance(traceback, str):
            last = traceback.strip().splitlines()[-1] if traceback.strip() else ""
            message.options["traceback"] = f"{last.partition(':')[0][:200]} (details in the worker log)"


class StopOnShutdown(Middleware):
    """Tell running jobs to stop between pages as soon as the worker starts shutting down."""

    def __init__(self, runtime: RuntimeFactory) -> None:
        self.runtime = runtime

    def before_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        self.runtime().request_stop()


def attempts(broker: Broker, message: MessageProxy, error: BaseException | None) -> int:
    """How many times the message ran. Retries counts every failure except one its actor ``throws``."""
    done = int(message.options.get("retries", 0))
    try:
        throws = message.options.get("throws") or broker.get_actor(message.actor_name).options.get("throws")
    except Exception:  # an unknown actor: it never ran
        return 0
    return done + 1 if throws and error is not None and isinstance(error, throws) else max(1, done)


class FailureLedger(Middleware):
    """Record every message dramatiq gives up on in the TRS store, where ``trs-bridge status`` sees it."""

    def __init__(self, runtime: RuntimeFactory) -> None:
        self.runtime = runtime

    def after_nack(self, broker: Broker, message: MessageProxy) -> None:
        error = getattr(message, "_exception", None)
        metrics.JOBS.labels(message.actor_name, "gave_up").inc()
        try:
            self.runtime().record_gave_up(
                message.actor_name,
                list(message.args),
                message_id=message.message_id,
                attempts=attempts(broker, message, error),
                error=error,
            )
        except Exception as failure:  # the ledger is down too: say so loudly, the DLQ still has the message
            log.critical(
                "job_failure_not_recorded",
                message_id=message.message_id,
                actor=message.actor_name,
                error_type=type(failure).__name__,
            )
