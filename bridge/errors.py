"""The bridge's errors. Their messages are written for operators and never contain personal data.

BridgeError
├── ConfigError        bad or missing configuration (unreachable DQT, bad secret, bad database URL)
└── CommandRejected    an operator command that would change nothing or break a rule; nothing changed
"""

from __future__ import annotations


class BridgeError(Exception):
    """Base of everything the bridge raises on purpose."""


class ConfigError(BridgeError):
    """Raised when configuration is missing, malformed, or points at something that does not answer."""


class CommandRejected(BridgeError):
    """Raised when an operator command is invalid; it is rejected before anything is changed."""
