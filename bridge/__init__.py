"""The bridge's use cases: sync, backfill, replay, write-back, reconcile; its config and CLI (``trs-bridge``).

The only package that wires the three leaves (``dataverse_client``, ``mappings``, ``trs_store``) together.
"""
