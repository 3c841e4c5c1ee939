"""Rules for text values: names, email, NI number, TRN, TRN request id, free text.

Each helper takes a ``str`` (the JSON type is checked by the caller) and returns the TRS value or raises
:class:`~mappings.errors.InvalidValue` with the rule broken. Choices (``docs/adr/0014``, ``0011``):

- No string may hold C0/C1 control characters, lone surrogates (they cannot be encoded as UTF-8) or line
  and paragraph separators; free text (alert details) may hold tab, LF and CR. Right-to-left marks,
  joiners and combining characters are ordinary text and are kept.
- Person and previous names are NFC-normalised (canonically equivalent, so no information is lost, and
  equal names compare equal); the raw ``dqt_*`` name columns keep DQT's exact code points.
- Lengths are counted in code points after normalisation, as PostgreSQL counts ``varchar(n)``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from mappings.errors import InvalidValue

#: TRS column lengths (docs/trs-schema.md).
NAME_MAX: Final = 100
EMAIL_MAX: Final = 100
TRN_LENGTH: Final = 7
NINO_LENGTH: Final = 9
SOURCE_TRN_REQUEST_ID_MAX: Final = 100
#: DQT's ``dfeta_value`` columns are ``String(100)``.
REFERENCE_VALUE_MAX: Final = 100

_FORBIDDEN_IN_SHORT_TEXT: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_FORBIDDEN_IN_FREE_TEXT: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_TRN: Final = re.compile("[0-9]{7}")
_UUID: Final = re.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NIL_UUID: Final = "00000000-0000-0000-0000-000000000000"

# NINO rules as TRS applies them elsewhere (Core/NationalInsuranceNumber.cs@fc8d409c9, data dictionary §6).
_NINO: Final = re.compile("[A-CEGHJ-PQR-TW-Z][A-CEGHJ-NPQR-TW-Z][0-9]{6}[A-DFMU]")
_TEMPORARY_NINO: Final = re.compile("[0-9]{2}[A-Z][0-9]{5}")
_BANNED_NINO_PREFIXES: Final = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def check_short_text(value: str) -> str:
    """``value`` unchanged, if it holds no control characters, separators or lone surrogates."""
    if _FORBIDDEN_IN_SHORT_TEXT.search(value):
        raise InvalidValue("must not contain control characters, line separators or lone surrogates")
    return value


def check_free_text(value: str) -> str:
    """``value`` unchanged, if it holds no control characters other than tab, LF and CR, nor lone surrogates."""
    if _FORBIDDEN_IN_FREE_TEXT.search(value):
        raise InvalidValue("must not contain control characters (other than tab and line breaks) or lone surrogates")
    return value


def _fits(value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise InvalidValue(f"must be at most {max_length} characters")
    return value


def raw_name(value: str | None) -> str:
    """A name exactly as DQT holds it (for the ``dqt_*`` columns): NULL becomes ``''``."""
    if value is None:
        return ""
    return _fits(check_short_text(value), NAME_MAX)


def person_name(value: str | None) -> str:
    """A name as TRS shows it: NULL becomes ``''``, then NFC."""
    if value is None:
        return ""
    return _fits(unicodedata.normalize("NFC", check_short_text(value)), NAME_MAX)


def is_blank(value: str | None) -> bool:
    """Whether ``value`` is NULL, empty or only whitespace."""
    return value is None or not value.strip()


def email(value: str | None) -> str | None:
    """Trimmed; empty or whitespace-only becomes NULL. The format is not checked (nor was it in TRS)."""
    if value is None or not value.strip():
        return None
    return _fits(check_short_text(value.strip()), EMAIL_MAX)


def national_insurance_number(value: str | None) -> str | None:
    """Normalised as TRS does (whitespace and '-' removed, upper-cased); blank becomes NULL.

    The result must be 9 characters, or 8 in the temporary format (``12A34567``): a longer value does not
    fit ``char(9)`` and a shorter one is not a number under any known scheme. A 9-character value that
    breaks TRS's format rules is kept (TRS's own rules had to be widened for real data) and reported by
    :func:`nino_format_ok` for the caller to flag.
    """
    if value is None:
        return None
    normalised = "".join(ch for ch in value if not ch.isspace() and ch != "-").upper()
    if not normalised:
        return None
    check_short_text(normalised)
    if len(normalised) == NINO_LENGTH or _TEMPORARY_NINO.fullmatch(normalised):
        return normalised
    raise InvalidValue("must be 9 characters (or a temporary number) after removing spaces and '-'")


def nino_format_ok(nino: str) -> bool:
    """Whether a normalised NI number passes TRS's format rules (the standard or the temporary format)."""
    if _TEMPORARY_NINO.fullmatch(nino):
        return True
    return bool(_NINO.fullmatch(nino)) and nino[:2] not in _BANNED_NINO_PREFIXES


def trn(value: str | None) -> str | None:
    """A TRN is exactly 7 ASCII digits; NULL or ``''`` means the contact has none."""
    if value is None or value == "":
        return None
    if not _TRN.fullmatch(value):
        raise InvalidValue("must be 7 digits")
    return value


def uuid_text(value: str) -> str:
    """A GUID in Dataverse's hyphenated form, returned lower-case; the nil GUID is refused."""
    if not _UUID.fullmatch(value):
        raise InvalidValue("must be a GUID (8-4-4-4-12 hex digits)")
    lowered = value.lower()
    if lowered == _NIL_UUID:
        raise InvalidValue("must not be the nil GUID")
    return lowered


def trn_request(value: str | None) -> tuple[str | None, str | None]:
    """``dfeta_trnrequestid`` ``"{applicationUserId}::{requestId}"`` → (source application user id, request id).

    NULL or blank gives (NULL, NULL). Anything else must have that shape, with a non-empty request id of at
    most 100 characters.
    """
    if value is None or not value.strip():
        return None, None
    check_short_text(value)
    user_id, separator, request_id = value.partition("::")
    if not separator or not request_id:
        raise InvalidValue("must be '<application user GUID>::<request id>'")
    return uuid_text(user_id), _fits(request_id, SOURCE_TRN_REQUEST_ID_MAX)


def reference_value(value: str) -> str:
    """A reference row's ``dfeta_value``: non-blank, at most 100 characters, no control characters."""
    if not value.strip():
        raise InvalidValue("must not be blank")
    return _fits(check_short_text(value), REFERENCE_VALUE_MAX)
