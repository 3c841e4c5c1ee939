"""``dqt-sim``: run the simulator (``serve``), print a client's environment (``env``), generate data
(``generate``, delegated to ``dqt_simulator.generate``).

``serve`` writes ``--ready-file`` atomically once it is listening (JSON with base_url, authority,
tenant/client ids, secret, CA bundle and port) and prints the ``export DQT_...`` lines; it stops
cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from dqt_simulator.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_RETENTION_SECONDS,
    DEFAULT_TENANT_ID,
    DEFAULT_TOKEN_LIFETIME,
    Faults,
    Limits,
    SimConfig,
)


def client_environment(
    host: str, port: int, cert_dir: Path, *, tenant_id: str, client_id: str, client_secret: str
) -> dict[str, str]:
    base_url = f"https://{host}:{port}"
    return {
        "DQT_BASE_URL": base_url,
        "DQT_AUTHORITY": f"{base_url}/{tenant_id}",
        "DQT_TENANT_ID": tenant_id,
        "DQT_CLIENT_ID": client_id,
        "DQT_CLIENT_SECRET": client_secret,
        "DQT_CA_BUNDLE": str((cert_dir / "ca.pem").resolve()),
    }


def export_lines(env: dict[str, str]) -> str:
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in env.items())


def _add_identity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--cert-dir", type=Path, required=True)
    parser.add_argument("--tenant-id", default=DEFAULT_TENANT_ID)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dqt-sim", description="A local DQT (Dataverse Web API + Entra ID).")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the simulator over HTTPS")
    _add_identity(serve)
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--data", type=Path, default=None, help="directory of <entity_set>.jsonl files")
    serve.add_argument("--ready-file", type=Path, default=None)
    serve.add_argument("--token-lifetime", type=int, default=DEFAULT_TOKEN_LIFETIME)
    serve.add_argument("--change-tracking-retention", type=int, default=DEFAULT_RETENTION_SECONDS, metavar="SECONDS")
    serve.add_argument("--requests-per-window", type=int, default=6000)
    serve.add_argument("--window-seconds", type=int, default=300)
    serve.add_argument("--concurrency-limit", type=int, default=52)
    serve.add_argument("--fault-429", type=float, default=0.0, metavar="RATE")
    serve.add_argument("--retry-after", type=int, default=1, metavar="SECONDS")
    serve.add_argument("--fault-503", type=float, default=0.0, metavar="RATE")
    serve.add_argument("--latency-ms", type=int, default=0)
    serve.add_argument("--fault-503-retry-after", type=float, default=0.0, metavar="RATE")
    serve.add_argument("--drop-rate", type=float, default=0.0)
    serve.add_argument("--reset-rate", type=float, default=0.0)
    serve.add_argument("--drop-after-rate", type=float, default=0.0)
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument(
        "--disable-change-tracking",
        action="append",
        default=[],
        metavar="ENTITY_SET",
        help="serve this entity set with change tracking disabled (repeatable)",
    )
    serve.add_argument("--dop-hint", type=int, default=4, help="x-ms-dop-hint returned by WhoAmI")

    env = commands.add_parser("env", help="print export lines for a client of a simulator on --port")
    _add_identity(env)
    env.add_argument("--port", type=int, required=True)

    generate = commands.add_parser("generate", help="generate a data set (JSON Lines per entity set)")
    generate.add_argument("--persons", type=int, required=True)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument(
        "--hostile", type=int, default=0, metavar="N", help="also N hostile records (dqt_simulator.hostile)"
    )
    return parser


def _write_ready_file(path: Path, info: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info, indent=2))
    tmp.replace(path)


def serve(args: argparse.Namespace) -> int:
    from dqt_simulator.app import Simulator
    from dqt_simulator.certs import ensure_certificates
    from dqt_simulator.httpd import make_server
    from dqt_simulator.loader import DataLoadError

    config = SimConfig(
        host=args.host,
        port=args.port,
        cert_dir=args.cert_dir,
        data_dir=args.data,
        ready_file=args.ready_file,
        tenant_id=args.tenant_id,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        change_tracking_retention=args.change_tracking_retention,
        limits=Limits(args.requests_per_window, args.window_seconds, args.concurrency_limit),
        faults=Faults(
            rate_429=args.fault_429,
            retry_after=args.retry_after,
            rate_503=args.fault_503,
            rate_503_retry_after=args.fault_503_retry_after,
            latency_ms=args.latency_ms,
            drop_rate=args.drop_rate,
            reset_rate=args.reset_rate,
            drop_after_rate=args.drop_after_rate,
            token_lifetime=args.token_lifetime,
        ),
        seed=args.seed,
        untracked_sets=tuple(args.disable_change_tracking),
        dop_hint=args.dop_hint,
    )
    unknown = [s for s in config.untracked_sets if s not in _entity_sets()]
    if unknown:
        print(f"dqt-sim: unknown entity set(s) for --disable-change-tracking: {', '.join(unknown)}", file=sys.stderr)
        return 2
    files = ensure_certificates(config.cert_dir)
    sim = Simulator(config)
    try:
        sim.load_data()
    except DataLoadError as exc:
        print(f"dqt-sim: cannot load --data: {exc}", file=sys.stderr)
        return 2
    server = make_server(sim, config.host, config.port, str(files.server), str(files.server_key))
    port = server.port
    env = client_environment(
        config.host,
        port,
        config.cert_dir,
        tenant_id=config.tenant_id,
        client_id=config.client_id,
        client_secret=config.client_secret,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.25}, name="dqt-sim", daemon=True)
    thread.start()
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if config.ready_file is not None:
        _write_ready_file(
            config.ready_file,
            {
                "base_url": env["DQT_BASE_URL"],
                "authority": env["DQT_AUTHORITY"],
                "tenant_id": config.tenant_id,
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "ca_bundle": env["DQT_CA_BUNDLE"],
                "port": port,
            },
        )
    print(export_lines(env), flush=True)
    print(f"dqt-sim listening on {env['DQT_BASE_URL']}", flush=True)
    while not stop.wait(0.5):
        pass
    print("dqt-sim shutting down", flush=True)
    server.shutdown()
    server.server_close()
    return 0


def _entity_sets() -> set[str]:
    from dqt_simulator.schema import BY_ENTITY_SET

    return set(BY_ENTITY_SET)


def env_command(args: argparse.Namespace) -> int:
    env = client_environment(
        args.host,
        args.port,
        args.cert_dir,
        tenant_id=args.tenant_id,
        client_id=args.client_id,
        client_secret=args.client_secret,
    )
    print(export_lines(env))
    return 0


def generate_command(args: argparse.Namespace) -> int:
    from dqt_simulator.generate import generate  # type: ignore[import-not-found,unused-ignore]

    if args.hostile:
        from dqt_simulator.hostile import generate_hostile

        counts = generate_hostile(Path(args.out), args.persons, args.hostile, args.seed)
    else:
        counts = generate(out_dir=Path(args.out), persons=args.persons, seed=args.seed)
    print(json.dumps(counts, indent=2, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "env":
        return env_command(args)
    return generate_command(args)


if __name__ == "__main__":
    sys.exit(main())
