"""Induction columns, previous names, routes and professional status columns: rebuilt per person by the sync from
the contact and all of the person's child rows, so reconciled per person with the same map functions and the same
rule of who is rebuilt at all (ADR 0080)."""

from __future__ import annotations

import random
from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, true, update

from bridge.apply import PageContext, derive_induction, fetch_by_ids, rebuild_previous_names
from bridge.backfill import read_ahead
from bridge.edits import mark_origin
from bridge.feeds import (
    CONTACT_SELECT,
    INDUCTION,
    INDUCTION_SELECT,
    INITIAL_TEACHER_TRAINING,
    INITIAL_TEACHER_TRAINING_SELECT,
    PREVIOUS_NAME,
    PREVIOUS_NAME_SELECT,
    QTS_REGISTRATION,
    QTS_REGISTRATION_SELECT,
)
from bridge.professional_status import ROUTE_FAILURE, has_qtls_fields, rebuild
from bridge.reconcile.base import (
    FIX_CHUNK,
    PERSON_LOOKUP,
    Entity,
    ReadContext,
    Sides,
    columns_of,
    guid,
    key_bounds,
    odata_range,
    sample_records,
    utc_now,
)
from bridge.reconcile.digest import Row, Side, digest
from bridge.writeback import persons_with_undelivered_names
from mappings import (
    InductionUpdate,
    MappingError,
    PersonStatusUpdate,
    PreviousNameRow,
    RouteRow,
    map_induction,
    map_previous_names,
    map_professional_status,
    move_induction_exemptions,
)
from mappings.reference.trs import QUALIFICATION_TYPE_MANDATORY
from trs_store.dialect import key_in
from trs_store.induction_exemptions import stored_routes as exemption_routes
from trs_store.models import metadata
from trs_store.upsert import KEY_CHUNK, chunks

_failed = metadata.tables["failed_records"]
_persons = metadata.tables["persons"]
_qualifications = metadata.tables["qualifications"]
_previous_names = metadata.tables["previous_names"]

# -- induction, previous names, professional status: rebuilt per person -----------------------------------


PersonState = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PersonInput:
    """What the sync reads to rebuild one person: the contact, its child rows by entity set, and (for the rule of
    who is rebuilt at all) what TRS holds of the person."""

    person_id: str
    contact: Mapping[str, Any]
    children: Mapping[str, list[Mapping[str, Any]]]
    state: PersonState


class PersonEntity(Entity):
    """A feed the sync applies per person, from the contact and all of the person's child rows: ranges are
    ranges of persons; the children are read by their person lookup over the same range."""

    per_person = True
    range_entity_set = "contacts"
    range_key = "contactid"
    #: ``(entity set, primary id, $select)`` of the child rows read per person.
    children: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def count_trs(self, connection: Connection) -> int:
        statement = select(func.count()).select_from(_persons).where(_persons.c.dqt_contact_id.is_not(None))
        return int(connection.execute(statement).scalar_one())

    @abstractmethod
    def trs_read(
        self,
        connection: Connection,
        where: ColumnElement[bool],
        person_ids: Sequence[str] | None,
        state: dict[str, PersonState],
        side: Side,
    ) -> None:
        """Read the TRS state of the persons matching ``where`` on ``persons`` (or, with ``person_ids``, those
        persons) into ``state`` (one entry per person that exists) and their compared records into ``side``."""

    @abstractmethod
    def expect(self, ctx: ReadContext, person: PersonInput, sides: Sides) -> None:
        """Add what TRS should hold for one person (present in TRS) to ``sides.expected``."""

    def held_persons(self, connection: Connection, person_ids: Sequence[str]) -> set[str]:
        return set()

    def read_range(self, ctx: ReadContext, low: str | None, high: str | None) -> Sides:
        sides = Sides()
        state: dict[str, PersonState] = {}
        with ctx.engine.connect() as connection:
            self.trs_read(
                connection, and_(true(), *key_bounds(_persons.c.dqt_contact_id, low, high)), None, state, sides.actual
            )
            children = {
                entity_set: _by_person(
                    record
                    for page in ctx.client.query(
                        entity_set,
                        select=list(columns),
                        filter=odata_range(PERSON_LOOKUP, low, high),
                        page_size=ctx.page_size,
                    )
                    for record in page.records
                )
                for entity_set, _, columns in self.children
            }
            pages = ctx.client.query(
                "contacts",
                select=list(CONTACT_SELECT),
                filter=odata_range("contactid", low, high),
                orderby=["contactid"],
                page_size=ctx.page_size,
            )
            for _, page in read_ahead(iter(pages), utc_now):  # the next page downloads meanwhile
                self._expect_page(ctx, connection, page.records, children=children, state=state, sides=sides)
        return sides

    def read_sample(self, ctx: ReadContext, size: int, rng: random.Random) -> Sides:
        contacts = sample_records(ctx.client, "contacts", "contactid", CONTACT_SELECT, size=size, rng=rng)
        person_ids = [p for c in contacts if (p := guid(c.get("contactid")))]
        children = {
            entity_set: _by_person(fetch_by_ids(ctx.client, entity_set, PERSON_LOOKUP, person_ids, columns))
            for entity_set, _, columns in self.children
        }
        sides = Sides()
        with ctx.engine.connect() as connection:
            self._expect_page(ctx, connection, contacts, children=children, state={}, sides=sides)
        return sides

    def _expect_page(
        self,
        ctx: ReadContext,
        connection: Connection,
        contacts: Sequence[Mapping[str, Any]],
        *,
        children: Mapping[str, Mapping[str, list[Mapping[str, Any]]]],
        state: dict[str, PersonState],
        sides: Sides,
    ) -> None:
        person_ids = [p for c in contacts if (p := guid(c.get("contactid")))]
        unknown = [p for p in person_ids if p not in state]
        if unknown:
            for chunk in chunks(unknown, KEY_CHUNK):
                self.trs_read(connection, key_in(connection, _persons.c.person_id, chunk), chunk, state, sides.actual)
            sides.looked_up.update(unknown)
        held = self.held_persons(connection, [p for p in person_ids if p in state])
        for contact in contacts:
            person_id = guid(contact.get("contactid"))
            if person_id is None:
                continue
            sides.dqt_groups.add(person_id)
            if person_id not in state:
                continue  # not in TRS: the person entity reports it
            if person_id in held:
                sides.held.add(person_id)
                continue
            mine = {entity_set: list(children[entity_set].get(person_id, [])) for entity_set, _, _ in self.children}
            sides.related[person_id] = tuple(
                i
                for (entity_set, primary_id, _) in self.children
                for r in mine[entity_set]
                if (i := guid(r.get(primary_id)))
            )
            self.expect(ctx, PersonInput(person_id, contact, mine, state[person_id]), sides)

    def _release_and_apply(self, ctx: ReadContext, persons: Sequence[str], release: Any, apply: Any) -> None:
        for chunk in chunks(list(persons), FIX_CHUNK):
            with ctx.engine.begin() as connection:
                mark_origin(connection, "sync")
                if release is not None:
                    connection.execute(release(connection, list(chunk)))
                apply(ctx.page_context(connection), set(chunk))


def _by_person(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        person_id = guid(record.get(PERSON_LOOKUP))
        if person_id is not None:  # a child without a person is a failure of its own feed, not of a person
            grouped.setdefault(person_id, []).append(record)
    return grouped


def _failure_id(error: MappingError, person_id: str) -> str:
    """The DQT id the sync records a per-person mapping failure under (the row the error names, else the
    person): ``bridge.apply.derive_induction`` and ``rebuild_previous_names``."""
    return guid(error.record_id) or person_id


#: The induction columns, and DQT's own exemption reasons (those not moved onto routes stay in
#: ``induction_exemption_reason_ids``: ADR 0067).
INDUCTION_COLUMNS: Final = (*columns_of(InductionUpdate), "dqt_induction_exemption_reason_ids")
#: A person's induction columns before the induction feed ever derived them (the persons upsert leaves them).
NOT_DERIVED_INDUCTION: Final = dict.fromkeys(INDUCTION_COLUMNS) | {"induction_status": 0}


class InductionColumns(PersonEntity):
    """The induction columns of persons: derived from the contact and all its ``dfeta_inductions``
    (``bridge.apply.derive_induction``), for the persons that have induction rows or were derived before."""

    name = "induction"
    feeds = (INDUCTION,)
    failure_sets = (INDUCTION.entity_set,)
    children = ((INDUCTION.entity_set, INDUCTION.primary_id, INDUCTION_SELECT),)

    def trs_read(
        self,
        connection: Connection,
        where: ColumnElement[bool],
        person_ids: Sequence[str] | None,
        state: dict[str, PersonState],
        side: Side,
    ) -> None:
        statement = select(*(_persons.c[c] for c in INDUCTION_COLUMNS)).where(
            _persons.c.dqt_contact_id.is_not(None), where
        )
        found: list[str] = []
        for row in connection.execute(statement).mappings():
            person_id = str(row["person_id"])
            state[person_id] = {"derived": row["dqt_induction_version"] is not None, "routes": []}
            side.add(person_id, digest(row, INDUCTION_COLUMNS), attached=True)
            found.append(person_id)
        for person_id, routes in exemption_routes(connection, found).items():
            state[person_id]["routes"] = routes

    def expect(self, ctx: ReadContext, person: PersonInput, sides: Sides) -> None:
        person_id, contact, records = person.person_id, person.contact, person.children[INDUCTION.entity_set]
        try:
            if records or person.state["derived"]:
                expected: dict[str, Any] = dict(map_induction(contact, records))
            else:
                expected = NOT_DERIVED_INDUCTION | {"person_id": person_id}
        except MappingError as error:
            sides.unverifiable[person_id] = _failure_id(error, person_id)
            return
        if expected["dqt_induction_version"] is not None:
            # DQT's reasons are kept as they are; the person keeps those its stored routes do not take (ADR 0067;
            # the routes themselves are the professional_status entity's to check).
            reasons = list(expected["induction_exemption_reason_ids"])
            expected["dqt_induction_exemption_reason_ids"] = reasons
            expected["induction_exemption_reason_ids"] = move_induction_exemptions(
                reasons, person.state["routes"]
            ).reason_ids
        sides.expected.add(person_id, digest(expected, INDUCTION_COLUMNS), attached=True)

    def fix(self, ctx: ReadContext, dqt_ids: Sequence[str], persons: Mapping[str, str]) -> int:
        targets = list(dict.fromkeys(persons.get(i, i) for i in dqt_ids))
        self._release_and_apply(
            ctx,
            targets,
            lambda connection, chunk: (
                update(_persons)
                .where(key_in(connection, _persons.c.person_id, chunk))
                .values(dqt_induction_version=None)
            ),
            derive_induction,
        )
        return len(targets)


PREVIOUS_NAME_COLUMNS: Final = columns_of(PreviousNameRow)


class PreviousNames(PersonEntity):
    """Previous names, rebuilt per person from the contact and all its ``dfeta_previousnames``
    (``bridge.apply.rebuild_previous_names``); persons with a name edit on its way to DQT are left out, as the
    sync leaves them (ADR 0073)."""

    name = "previous_name"
    feeds = (PREVIOUS_NAME,)
    failure_sets = (PREVIOUS_NAME.entity_set,)
    children = ((PREVIOUS_NAME.entity_set, PREVIOUS_NAME.primary_id, PREVIOUS_NAME_SELECT),)

    def trs_read(
        self,
        connection: Connection,
        where: ColumnElement[bool],
        person_ids: Sequence[str] | None,
        state: dict[str, PersonState],
        side: Side,
    ) -> None:
        statement = select(_persons.c.person_id).where(_persons.c.dqt_contact_id.is_not(None), where)
        for person_id in connection.execute(statement).scalars():
            state[str(person_id)] = {"rows": False}
        if person_ids is not None:
            row_filter: ColumnElement[bool] = key_in(connection, _previous_names.c.person_id, list(person_ids))
        else:
            row_filter = _previous_names.c.person_id.in_(select(_persons.c.person_id).where(where))
        rows = select(*(_previous_names.c[c] for c in PREVIOUS_NAME_COLUMNS)).where(row_filter)
        for row in connection.execute(rows).mappings():
            person_id = str(row["person_id"])
            if person_id in state:
                state[person_id]["rows"] = True
            ids = row["dqt_previous_name_ids"] or []
            key = str(row["previous_name_id"])
            side.add(key, digest(row, PREVIOUS_NAME_COLUMNS), group=person_id, dqt_id=str(ids[0]) if ids else key)

    def held_persons(self, connection: Connection, person_ids: Sequence[str]) -> set[str]:
        return persons_with_undelivered_names(connection, person_ids) if person_ids else set()

    def expect(self, ctx: ReadContext, person: PersonInput, sides: Sides) -> None:
        person_id, contact, records = person.person_id, person.contact, person.children[PREVIOUS_NAME.entity_set]
        if not records and not person.state["rows"]:
            return  # the sync rebuilds no one with neither DQT rows nor TRS rows
        try:
            rows = map_previous_names(contact, records)
        except MappingError as error:
            sides.unverifiable[person_id] = _failure_id(error, person_id)
            return
        for row in rows:
            key = row["previous_name_id"]
            sides.expected.add(
                key, digest(row, PREVIOUS_NAME_COLUMNS), group=person_id, dqt_id=row["dqt_previous_name_ids"][0]
            )

    def fix(self, ctx: ReadContext, dqt_ids: Sequence[str], persons: Mapping[str, str]) -> int:
        targets = list(dict.fromkeys(persons[i] for i in dqt_ids if i in persons))
        self._release_and_apply(
            ctx,
            targets,
            lambda connection, chunk: (
                update(_previous_names)
                .where(key_in(connection, _previous_names.c.person_id, chunk))
                .values(dqt_version=None)
            ),
            rebuild_previous_names,
        )
        return len(targets)


STATUS_COLUMNS: Final = columns_of(PersonStatusUpdate)
ROUTE_COLUMNS: Final = columns_of(RouteRow)
#: A person's professional status columns before any rebuild (the persons upsert leaves them at their defaults).
NOT_DERIVED_STATUS: Final = dict.fromkeys(STATUS_COLUMNS) | {"has_eyps": False, "qtls_status": 0}
_ITT: Final = INITIAL_TEACHER_TRAINING.entity_set
_QTS: Final = QTS_REGISTRATION.entity_set


def route_dqt_id(route: Row) -> str:
    """The DQT row a route comes from: its QTS registration, else its ITT row, else (QTLS) the contact."""
    return str(
        route.get("dqt_qts_registration_id") or route.get("dqt_initial_teacher_training_id") or route.get("person_id")
    )


class ProfessionalStatus(PersonEntity):
    """Routes to professional status and the persons' status columns, rebuilt per person from the contact, all its
    ITT rows and QTS registrations (``bridge.professional_status.rebuild``); both professional-status feeds."""

    name = "professional_status"
    references = ("status_reference",)
    feeds = (INITIAL_TEACHER_TRAINING, QTS_REGISTRATION)
    failure_sets = (_ITT, _QTS, "contacts")
    children = (
        (_ITT, INITIAL_TEACHER_TRAINING.primary_id, INITIAL_TEACHER_TRAINING_SELECT),
        (_QTS, QTS_REGISTRATION.primary_id, QTS_REGISTRATION_SELECT),
    )

    def failure_condition(self) -> ColumnElement[bool]:
        return or_(
            _failed.c.entity_set.in_((_ITT, _QTS)),
            and_(_failed.c.entity_set == "contacts", _failed.c.error_kind == ROUTE_FAILURE),
        )

    def trs_read(
        self,
        connection: Connection,
        where: ColumnElement[bool],
        person_ids: Sequence[str] | None,
        state: dict[str, PersonState],
        side: Side,
    ) -> None:
        statement = select(
            *(_persons.c[c] for c in STATUS_COLUMNS), _persons.c.dqt_induction_exemption_reason_ids
        ).where(_persons.c.dqt_contact_id.is_not(None), where)
        for row in connection.execute(statement).mappings():
            person_id = str(row["person_id"])
            state[person_id] = {
                "rebuilt": row["dqt_professional_status_version"] is not None,
                "reasons": [str(r) for r in row["dqt_induction_exemption_reason_ids"] or []],
            }
            side.add(person_id, digest(row, STATUS_COLUMNS), attached=True)
        if person_ids is not None:
            person_filter: ColumnElement[bool] = key_in(connection, _qualifications.c.person_id, list(person_ids))
        else:
            person_filter = _qualifications.c.person_id.in_(select(_persons.c.person_id).where(where))
        routes = select(*(_qualifications.c[c] for c in ROUTE_COLUMNS)).where(
            _qualifications.c.qualification_type != QUALIFICATION_TYPE_MANDATORY, person_filter
        )
        for row in connection.execute(routes).mappings():
            side.add(
                str(row["qualification_id"]),
                digest(row, ROUTE_COLUMNS),
                group=str(row["person_id"]),
                dqt_id=route_dqt_id(row),
            )

    def expect(self, ctx: ReadContext, person: PersonInput, sides: Sides) -> None:
        person_id, contact = person.person_id, person.contact
        itts, qtss = person.children[_ITT], person.children[_QTS]
        if not (itts or qtss or has_qtls_fields(contact) or person.state["rebuilt"]):
            sides.expected.add(
                person_id, digest(NOT_DERIVED_STATUS | {"person_id": person_id}, STATUS_COLUMNS), attached=True
            )
            return
        try:
            result = map_professional_status(contact, itts, qtss, ctx.status_reference)
        except MappingError as error:  # recorded against the ITT / QTS row it names, else the contact
            named = guid(error.record_id) if error.entity in (_ITT, _QTS) else None
            sides.unverifiable[person_id] = named or person_id
            return
        if result.contact_failed or result.person is None:
            failure = next((f for f in result.failures if f.contact_scoped), None)
            # recorded against its ITT row, else its QTS registration, else the contact (``_fail_route``)
            itt = failure.dqt_initial_teacher_training_id if failure else None
            qts = failure.dqt_qts_registration_id if failure else None
            sides.unverifiable[person_id] = itt or qts or person_id
            return
        sides.expected.add(person_id, digest(result.person, STATUS_COLUMNS), attached=True)
        # The routes' exemption columns follow the person's stored DQT reasons (ADR 0067; the induction entity checks
        # those against DQT).
        for route in move_induction_exemptions(person.state["reasons"], result.routes).routes:
            sides.expected.add(
                route["qualification_id"], digest(route, ROUTE_COLUMNS), group=person_id, dqt_id=route_dqt_id(route)
            )

    def fix(self, ctx: ReadContext, dqt_ids: Sequence[str], persons: Mapping[str, str]) -> int:
        targets = list(dict.fromkeys(persons.get(i, i) for i in dqt_ids))
        ctx.status_reference  # noqa: B018 - read before the first transaction, not inside it

        def apply(page: PageContext, chunk: set[str]) -> None:
            rebuild(page, chunk, forced=chunk)

        self._release_and_apply(ctx, targets, None, apply)
        return len(targets)
