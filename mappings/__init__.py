"""Pure functions from DQT Web API records to TRS rows (and back), with reference tables as data.

No I/O lives here: every function takes values and returns values, so the rules can be tested
exhaustively and reused by the sync, the backfill, replay and reconcile alike.
"""
