"""``trs-bridge worker``: consume the queues in this process until SIGTERM, then stop cleanly.

One process, ``threads`` worker threads, one :class:`~bridge.worker.Runtime`. On the first SIGTERM or SIGINT
the stop flag is set (running syncs stop after the page they are on, which is committed, and release their
lease; calls waiting for the rate limiter give up and their jobs re-enqueue themselves), dramatiq stops
fetching, puts prefetched messages back, and the process exits 0 within ``shutdown_timeout``. A second signal
exits at once (the page in flight rolls back; leases expire on their own).

Without ``REDIS_URL`` this is the embedded mode: an in-memory broker, so the scheduler runs in this process
too (there is no one else who could enqueue).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType

import dramatiq
import structlog
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name

from bridge import metrics
from bridge.errors import CommandRejected
from bridge.fleet import QUEUES
from bridge.scheduling import Scheduler
from bridge.worker import Runtime
from jobs.actors import Actors

log = structlog.get_logger("jobs.worker")


def install_signal_handlers(on_stop: Callable[[], None]) -> None:
    """First SIGTERM/SIGINT: ``on_stop``. Second: exit now."""
    received: list[int] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:
            log.warning("forced_exit", signal=signal.Signals(signum).name)
            os._exit(1)
        log.info("shutdown_requested", signal=signal.Signals(signum).name)
        on_stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def queue_depths_for(broker: dramatiq.Broker, runtime: Runtime) -> Callable[[], dict[tuple[str, str], int]]:
    if isinstance(broker, StubBroker):

        def stub_depths() -> dict[tuple[str, str], int]:
            depths: dict[tuple[str, str], int] = {}
            for queue in QUEUES:
                depths[(queue, "ready")] = broker.queues[queue].qsize()
                depths[(queue, "delayed")] = broker.queues[dq_name(queue)].qsize()
                depths[(queue, "dead")] = len(broker.dead_letters_by_queue[queue])
            return depths

        return stub_depths
    return lambda: metrics.queue_depths(runtime.redis, runtime.fleet.namespace, QUEUES)


def serve_metrics(port: int, broker: dramatiq.Broker, runtime: Runtime) -> None:
    metrics.serve(
        port,
        collector=metrics.FleetCollector(
            queue_depths=queue_depths_for(broker, runtime),
            limiter_state=runtime.limiter_state if runtime.redis is not None else None,
            engine=runtime.engine,
            paused=runtime.paused,
        ),
    )


def run_worker(
    broker: dramatiq.Broker,
    actors: Actors,
    runtime: Runtime,
    *,
    threads: int = 4,
    queues: Sequence[str] | None = None,
    metrics_port: int | None = None,
    shutdown_timeout: float = 600.0,
    stop: threading.Event | None = None,
) -> int:
    """Run until ``stop`` is set (by SIGTERM/SIGINT when ``stop`` is not given). Returns the exit code."""
    if stop is None:
        stop = threading.Event()

        def on_signal() -> None:
            runtime.request_stop()
            stop.set()

        install_signal_handlers(on_signal)
    unknown = set(queues or ()) - set(QUEUES)
    if unknown:
        raise CommandRejected(f"unknown queue(s) {', '.join(sorted(unknown))}; choose from {', '.join(QUEUES)}")
    if metrics_port is not None:
        serve_metrics(metrics_port, broker, runtime)
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, queues=set(queues) if queues else None, worker_threads=threads)
    worker.start()
    log.info("worker_started", worker=runtime.worker_id, threads=threads, queues=sorted(queues or QUEUES))
    scheduler_thread: threading.Thread | None = None
    if isinstance(broker, StubBroker):  # embedded: nobody else can reach this queue, so we schedule too
        scheduler = embedded_scheduler(actors, runtime)
        scheduler_thread = threading.Thread(target=scheduler.run, args=(stop,), name="scheduler", daemon=True)
        scheduler_thread.start()
    try:
        stop.wait()
    finally:
        runtime.request_stop()
        worker.stop(timeout=int(shutdown_timeout * 1000))
        if scheduler_thread is not None:
            scheduler_thread.join(timeout=10)
        broker.close()
        runtime.close()
        log.info("worker_stopped", worker=runtime.worker_id)
    return 0


def embedded_scheduler(actors: Actors, runtime: Runtime) -> Scheduler:
    return Scheduler(
        runtime.leases,
        runtime.is_paused,
        enqueue=sync_sender(actors),
        prefix=runtime.fleet.prefix,
        interval=runtime.fleet.interval_seconds,
        lease_ttl=runtime.fleet.lease_ttl_seconds,
        observer=lambda entity_set, outcome: metrics.TICKS.labels(entity_set, outcome).inc(),
    )


def sync_sender(actors: Actors) -> Callable[[str, int], None]:
    def send(entity_set: str, slot: int) -> None:
        actors.sync_entity.send_with_options(args=(entity_set,), kwargs={"tick": slot})

    return send
