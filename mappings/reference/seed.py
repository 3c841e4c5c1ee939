"""Renders ``trs_seed.json``, the copy of :mod:`mappings.reference.trs`'s seeded tables that ``trs_store``
reads (it may not import ``mappings``).

``render_seed_json()`` is pure; ``tests/unit/mappings/test_map_reference.py`` asserts the committed file
equals it, so the two cannot drift. After changing ``trs.py``, regenerate with::

    .venv/bin/python -m mappings.reference.seed
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from mappings.reference.trs import seed_tables

#: Where the generated file lives (shipped as package data: ``mappings/reference/trs_seed.json``).
SEED_JSON_PATH: Final = Path(__file__).with_name("trs_seed.json")


def render_seed_json() -> str:
    """The exact text of ``trs_seed.json``: tables in seeding order, rows in table order, UTF-8, LF."""
    return json.dumps(seed_tables(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # the one place in mappings/ that writes a file: a developer tool, never imported
    SEED_JSON_PATH.write_text(render_seed_json(), encoding="utf-8")
    print(f"wrote {SEED_JSON_PATH}")
