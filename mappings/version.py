"""The version of the mapping rules, stored with every failed record.

A failed record remembers the ``MAPPING_VERSION`` it failed under, so an operator (or replay) can tell
whether a newer mapping might now accept it.

Bump rule: increase by one whenever a change in mappings/ (code *or* reference data) can change, for
any input, the row produced, or whether the input maps, is ignored, is skipped or fails. Pure
refactorings, new tests and documentation do not bump it. It is a string so it can carry a suffix
if a hotfix ever needs one.
"""

from __future__ import annotations

from typing import Final

MAPPING_VERSION: Final = "1"
