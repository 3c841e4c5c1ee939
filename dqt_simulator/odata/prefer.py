"""The ``Prefer`` request header: the preferences Dataverse honours and the ``Preference-Applied`` echo.

Clients send preferences comma-joined in one header (``odata.track-changes,odata.maxpagesize=5000``)
or as several ``Prefer`` headers; both are parsed. Commas inside a quoted value
(``odata.include-annotations="A.*,B.*"``) do not split.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_PAGE_SIZE = 5000


@dataclass(slots=True)
class Preferences:
    maxpagesize: int | None = None
    track_changes: bool = False
    return_representation: bool = False
    include_annotations: tuple[str, ...] = ()
    continue_on_error: bool = False
    raw_annotations: str | None = None
    other: dict[str, str | None] = field(default_factory=dict)

    @property
    def page_size(self) -> int:
        """The page size to use: ``odata.maxpagesize`` capped at 5000, default 5000."""
        if self.maxpagesize is None or self.maxpagesize <= 0:
            return MAX_PAGE_SIZE
        return min(self.maxpagesize, MAX_PAGE_SIZE)

    def wants_annotation(self, annotation: str) -> bool:
        return annotation_matches(self.include_annotations, annotation)

    @property
    def any_annotations(self) -> bool:
        return bool(self.include_annotations) and any(not p.startswith("-") for p in self.include_annotations)


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_prefer(headers: Iterable[str]) -> Preferences:
    prefs = Preferences()
    for header in headers:
        for item in _split_outside_quotes(header, ","):
            token = _split_outside_quotes(item, ";")[0]
            name, _, value = token.partition("=")
            name = name.strip().lower()
            value = value.strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = value[1:-1]
            if name == "odata.maxpagesize":
                try:
                    prefs.maxpagesize = int(value)
                except ValueError:
                    continue
            elif name == "odata.track-changes":
                prefs.track_changes = True
            elif name == "return" and value.lower() == "representation":
                prefs.return_representation = True
            elif name == "odata.include-annotations":
                prefs.raw_annotations = value
                prefs.include_annotations = tuple(p.strip() for p in value.split(",") if p.strip())
            elif name == "odata.continue-on-error":
                prefs.continue_on_error = True
            else:
                prefs.other[name] = value or None
    return prefs


def _pattern_matches(pattern: str, annotation: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return annotation.startswith(pattern[:-1])
    return pattern == annotation


def annotation_matches(patterns: Iterable[str], annotation: str) -> bool:
    """OData include-annotations matching: ``*``, ``Namespace.*``, exact names; ``-x`` excludes."""
    included = False
    for pattern in patterns:
        if pattern.startswith("-"):
            if _pattern_matches(pattern[1:], annotation):
                return False
        elif _pattern_matches(pattern, annotation):
            included = True
    return included
