"""Print the Markdown tables of ``bench/README.md`` from the JSON in ``bench/results/`` (``python -m bench.report``),
so the README's figures are copied from the result files, not retyped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _load(pattern: str) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text()) for p in RESULTS.glob(pattern)]
    return sorted(found, key=lambda r: int(r.get("persons", 0)))


def _n(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value < 10:
        return f"{value:.2f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def backfill_tables() -> str:
    lines = [
        "| persons | processes × threads | rows (5 feeds) | backfill rows/s | drain rows/s | COPY rows/s "
        "| ceiling rows/s | backfill ÷ ceiling | backfill ÷ sequential | bridge peak RSS | naive rows/s "
        "| person feed ÷ naive | measured |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    per_feed = [
        "| persons | processes × threads | feed | rows | backfill s (token s) | backfill rows/s | drain rows/s "
        "| COPY rows/s | ceiling | backfill ÷ ceiling |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for result in _load("backfill-*.json"):
        core, naive = result["core"], result["naive"]
        width = f"{result.get('processes', 1)} × {result['threads']}"
        lines.append(
            f"| {result['persons']:,} | {width} | {core['rows']:,} | {_n(core['backfill_rows_per_s'])} "
            f"| {_n(core['drain_rows_per_s'])} | {_n(core['copy_rows_per_s'])} | {_n(core['ceiling_rows_per_s'])} "
            f"| **{core['backfill_over_ceiling']:.1%}** | {core['backfill_over_sequential']:.1%} "
            f"| {result['bridge_peak_rss_mb']:.0f} MB | {_n(naive.get('rows_per_s'))} "
            f"| {_n(naive.get('person_backfill_over_naive'))}× | {result['measured_at'][:16]} |"
        )
        for name, feed in result["feeds"].items():
            backfill = feed.get("backfill", {})
            if "seconds" not in backfill:
                continue
            ceiling = feed.get("ceiling", {})
            per_feed.append(
                f"| {result['persons']:,} | {width} | {name} | {feed['drain']['rows']:,} "
                f"| {backfill['seconds']:.1f} ({backfill['token_seconds']:.1f}) | {_n(backfill['rows_per_s'])} "
                f"| {_n(feed['drain']['rows_per_s'])} | {_n(ceiling.get('copy_rows_per_s'))} "
                f"| {_n(ceiling.get('rows_per_s'))} ({ceiling.get('limited_by', '')}) "
                f"| {feed.get('backfill_over_ceiling') or 0:.1%} |"
            )
    return "\n".join(lines) + "\n\n" + "\n".join(per_feed)


def latency_tables() -> str:
    lines = [
        "| benchmark | persons | events | p50 | p95 | max | not through in time | notes | measured |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in _load("live_sync-*.json"):
        lag = result["lag_seconds"]
        lines.append(
            f"| live sync lag | {result['persons']:,} | {result['writes']:,} changes "
            f"({result['achieved_rate_per_s']}/s for {result['duration_s']:.0f} s) | {lag['p50']:.2f} s "
            f"| {lag['p95']:.2f} s | {lag['max']:.2f} s | {result['not_synced_within_30s']} "
            f"| bridge {result.get('bridge_requests_per_s', '–')} GET/s | {result['measured_at'][:16]} |"
        )
    for result in _load("writeback-*.json"):
        latency = result["latency_seconds"]
        lines.append(
            f"| write-back latency | {result['persons']:,} | {result['edits']} edits ({result['edits_per_second']}/s) "
            f"| {latency['p50']:.2f} s | {latency['p95']:.2f} s | {latency['max']:.2f} s "
            f"| {result['not_delivered_within_60s']} | names and MQs alternately | {result['measured_at'][:16]} |"
        )
    return "\n".join(lines)


def main() -> int:
    print(backfill_tables())
    print()
    print(latency_tables())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
