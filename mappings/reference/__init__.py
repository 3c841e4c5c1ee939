"""Reference data as data: DQT's option sets and reference rows, and TRS's seeded tables.

Everything here is a frozen table copied from the real systems (see
``../shared/reference/dqt-trs-data-dictionary.md``), so mapping code looks values up instead of
branching on them. The simulator seeds DQT from :mod:`mappings.reference.dqt`; the bridge maps with
both modules. Nothing here performs I/O.
"""

from __future__ import annotations
