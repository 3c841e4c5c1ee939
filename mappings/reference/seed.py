"""Renders ``trs_seed.json``, the copy of the seeded tables of :mod:`mappings.reference.trs` (MQ providers, alert
categories and types, induction exemption reasons) and :mod:`mappings.reference.routes` (degree types, route
types) that ``trs_store``'s migrations hold (it may not import ``mappings``).

``render_seed_json()`` is pure; ``tests/unit/mappings/test_map_reference.py`` asserts the committed file
equals it, so the two cannot drift. After changing ``trs.py`` or ``routes.py``, regenerate with::

    .venv/bin/python -m mappings.reference.seed
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from mappings.reference.routes import route_seed_tables
from mappings.reference.trs import seed_tables

#: Where the generated file lives (shipped as package data: ``mappings/reference/trs_seed.json``).
SEED_JSON_PATH: Final = Path(__file__).with_name("trs_seed.json")


def all_seed_tables() -> dict[str, list[dict[str, object]]]:
    """Every seeded table, in seeding order (route types after the induction exemption reasons they name)."""
    return {**seed_tables(), **route_seed_tables()}


def render_seed_json() -> str:
    """The exact text of ``trs_seed.json``: tables in seeding order, rows in table order, UTF-8, LF."""
    return json.dumps(all_seed_tables(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # the one place in mappings/ that writes a file: a developer tool, never imported
    SEED_JSON_PATH.write_text(render_seed_json(), encoding="utf-8")
    print(f"wrote {SEED_JSON_PATH}")
