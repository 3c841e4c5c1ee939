"""GET on entity sets: collections (paged, filtered, ordered), change-tracking reads (initial and
delta), ``$count``, and single records.

Pages are assembled under the store lock (references only) and serialised after it is released;
stored rows are immutable so that is safe. NextLinks are absolute and carry every original query
option plus ``$skiptoken`` (and ``$deltatoken`` for delta pages), so the query string alone fetches the
next page, whichever way a client re-encodes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from dqt_simulator.change_tracking import DELETE, UPSERT, check_token, format_token
from dqt_simulator.config import API_PREFIX
from dqt_simulator.errors import bad_query, change_tracking_not_enabled, not_found, unknown_property
from dqt_simulator.httpmsg import Request, Response, raw_json_response
from dqt_simulator.odata.prefer import Preferences, parse_prefer
from dqt_simulator.odata.query import QueryError, QueryOptions, parse_query
from dqt_simulator.paging import (
    PageCookie,
    SkipTokenError,
    build_link_with_tokens,
    decode_skiptoken,
    encode_skiptoken,
)
from dqt_simulator.querying import (
    MAX_COUNT,
    compile_query,
    count_matches,
    find_page,
    skiptoken_error,
    validate_select,
)
from dqt_simulator.render import Renderer, context_fragment, plan_expansions
from dqt_simulator.store import Row, Table

if TYPE_CHECKING:
    from dqt_simulator.app import Simulator

_TRACKING_REFUSED = ("$filter", "$orderby", "$expand", "$top")


def api_root(req: Request) -> str:
    return f"{req.base_url}{API_PREFIX}/"


def parse_options(req: Request) -> QueryOptions:
    try:
        return parse_query(req.query)
    except QueryError as exc:
        raise bad_query(str(exc)) from exc


def _cookie(options: QueryOptions) -> PageCookie | None:
    if options.skiptoken is None:
        return None
    try:
        return decode_skiptoken(options.skiptoken)
    except SkipTokenError as exc:
        raise skiptoken_error(exc) from exc


def _carried_params(options: QueryOptions) -> list[tuple[str, str]]:
    return [(k, v) for k, v in options.params.items() if k.startswith("$") and k not in ("$skiptoken", "$deltatoken")]


def _preference_applied(prefs: Preferences, tracking: bool = False) -> list[tuple[str, str]]:
    applied: list[str] = []
    if tracking:
        applied.append("odata.track-changes")
    if prefs.maxpagesize is not None:
        applied.append(f"odata.maxpagesize={prefs.page_size}")
    if prefs.raw_annotations is not None:
        applied.append(f'odata.include-annotations="{prefs.raw_annotations}"')
    return [("Preference-Applied", ",".join(applied))] if applied else []


def _int_attr(cookie: PageCookie | None, name: str) -> int | None:
    if cookie is None or name not in cookie.attrs:
        return None
    try:
        return int(cookie.attrs[name])
    except ValueError as exc:
        raise bad_query(f"Invalid $skiptoken: bad {name}") from exc


def _serialise(head: dict[str, Any], records: list[Row], tail: dict[str, Any]) -> bytes:
    payload = dict(head)
    payload["value"] = records
    payload.update(tail)
    return orjson.dumps(payload)


# --- collections --------------------------------------------------------------------------------------------


def get_collection(sim: Simulator, req: Request, table: Table) -> Response:
    options = parse_options(req)
    prefs = parse_prefer(req.headers.get_all("Prefer"))
    cookie = _cookie(options)
    tracking = prefs.track_changes or options.deltatoken is not None or bool(cookie and cookie.istracking)
    if tracking:
        for option in _TRACKING_REFUSED:
            if option in options.params:
                raise bad_query(f'The "{option}" query parameter isn\'t supported when Change Tracking is enabled.')
        if not table.tracked:
            raise change_tracking_not_enabled(table.logical_name)
        if options.deltatoken is not None:
            return _delta_read(sim, req, table, options=options, prefs=prefs, cookie=cookie)
        return _paged_read(sim, req, table, options=options, prefs=prefs, cookie=cookie, tracking=True)
    return _paged_read(sim, req, table, options=options, prefs=prefs, cookie=cookie, tracking=False)


def _paged_read(
    sim: Simulator,
    req: Request,
    table: Table,
    *,
    options: QueryOptions,
    prefs: Preferences,
    cookie: PageCookie | None,
    tracking: bool,
) -> Response:
    query = compile_query(table, options)
    expansions = plan_expansions(sim.store, table, options.expand, prefs)
    page_size = prefs.page_size
    emitted = _int_attr(cookie, "emitted") or 0
    limit = page_size if options.top is None else min(page_size, options.top - emitted)
    store = sim.store
    with store.lock:
        snapshot = _int_attr(cookie, "snapshot")
        snapshot_time = _int_attr(cookie, "snapshottime")
        if tracking and snapshot is None:
            snapshot, snapshot_time = store.version, int(sim.clock.time())
        try:
            rows, more = find_page(query, cookie, limit, sim.sort_cache)
        except SkipTokenError as exc:
            raise skiptoken_error(exc) from exc
        count = count_matches(query) if options.count else None
        if options.top is not None and emitted + len(rows) >= options.top:
            more = False
        next_values = query.cookie_values(rows[-1]) if more and rows else None
    records = Renderer(store, table, options.select, prefs, expansions).many(rows)
    root = api_root(req)
    head: dict[str, Any] = {"@odata.context": f"{root}$metadata#{context_fragment(table, options.select)}"}
    if count is not None:
        head["@odata.count"] = min(count, MAX_COUNT)
        head["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] = count > MAX_COUNT
    tail: dict[str, Any] = {}
    resource = f"{root}{table.entity_set}"
    if next_values is not None:
        page_number = (cookie.pagenumber if cookie else 1) + 1
        attrs: dict[str, str] = {}
        if options.top is not None:
            attrs["emitted"] = str(emitted + len(rows))
        if tracking:
            attrs["snapshot"] = str(snapshot)
            attrs["snapshottime"] = str(snapshot_time)
        token = encode_skiptoken(PageCookie(page_number, tracking, attrs, next_values))
        tail["@odata.nextLink"] = build_link_with_tokens(resource, _carried_params(options), [("$skiptoken", token)])
    elif tracking:
        assert snapshot is not None
        assert snapshot_time is not None
        select = [(k, v) for k, v in _carried_params(options) if k == "$select"]
        tail["@odata.deltaLink"] = build_link_with_tokens(
            resource, select, [("$deltatoken", format_token(snapshot, snapshot_time))]
        )
    headers = _preference_applied(prefs, tracking)
    return raw_json_response(200, _serialise(head, records, tail), headers)


def _delta_read(
    sim: Simulator, req: Request, table: Table, *, options: QueryOptions, prefs: Preferences, cookie: PageCookie | None
) -> Response:
    assert options.deltatoken is not None
    validate_select(table, options.select)
    store = sim.store
    with store.lock:
        since = check_token(
            options.deltatoken,
            now=sim.clock.time(),
            retention_seconds=sim.retention_seconds,
            current_version=store.version,
        )
        upto = _int_attr(cookie, "snapshot")
        upto_time = _int_attr(cookie, "snapshottime")
        if upto is None or upto_time is None:
            upto, upto_time = store.version, int(sim.clock.time())
        if upto < since or upto > store.version:
            raise bad_query("Invalid $skiptoken: snapshot out of range")
        listing = sim.delta_cache.get(table, since, upto)
        start = 0
        if cookie is not None:
            rank, last = _int_attr(cookie, "rank"), _int_attr(cookie, "last")
            if rank is None or last is None:
                raise bad_query("Invalid $skiptoken for a delta read")
            start = listing.position_after(rank, last)
        page_size = prefs.page_size
        end = min(start + page_size, len(listing))
        entries: list[tuple[int, str, Row | None]] = []
        for index in range(start, end):
            rank, _ = listing.keys[index]
            record_id = listing.ids[index]
            entries.append((rank, record_id, table.rows.get(record_id) if rank == UPSERT else None))
        more = end < len(listing)
        last_key = listing.keys[end - 1] if more else None
    root = api_root(req)
    renderer = Renderer(store, table, options.select, prefs)
    deleted_context = f"{root}$metadata#{table.entity_set}/$deletedEntity"
    records: list[Row] = []
    for rank, record_id, row in entries:
        if rank == DELETE or row is None:
            records.append({"@odata.context": deleted_context, "id": record_id, "reason": "deleted"})
        else:
            records.append(renderer.one(row) if renderer.annotate or renderer.keys else row)
    head = {"@odata.context": f"{root}$metadata#{context_fragment(table, options.select)}/$delta"}
    resource = f"{root}{table.entity_set}"
    select = [(k, v) for k, v in _carried_params(options) if k == "$select"]
    tail: dict[str, Any] = {}
    if last_key is not None:
        cookie_out = PageCookie(
            (cookie.pagenumber if cookie else 1) + 1,
            True,
            {
                "snapshot": str(upto),
                "snapshottime": str(upto_time),
                "rank": str(last_key[0]),
                "last": str(last_key[1]),
            },
        )
        token = encode_skiptoken(cookie_out)
        tail["@odata.nextLink"] = build_link_with_tokens(
            resource, select, [("$deltatoken", options.deltatoken), ("$skiptoken", token)]
        )
    else:
        tail["@odata.deltaLink"] = build_link_with_tokens(
            resource, select, [("$deltatoken", format_token(upto, upto_time))]
        )
    return raw_json_response(200, _serialise(head, records, tail), _preference_applied(prefs, True))


def get_count(sim: Simulator, req: Request, table: Table) -> Response:
    options = parse_options(req)
    if options.deltatoken is not None:
        store = sim.store
        with store.lock:
            since = check_token(
                options.deltatoken,
                now=sim.clock.time(),
                retention_seconds=sim.retention_seconds,
                current_version=store.version,
            )
            count = len(sim.delta_cache.get(table, since, store.version))
    else:
        query = compile_query(table, options)
        with sim.store.lock:
            count = min(count_matches(query), MAX_COUNT)
    return Response(200, str(count).encode(), "text/plain")


# --- single records --------------------------------------------------------------------------------------------


def get_single(sim: Simulator, req: Request, table: Table, record_id: str, prop: str | None) -> Response:
    options = parse_options(req)
    prefs = parse_prefer(req.headers.get_all("Prefer"))
    validate_select(table, options.select)
    expansions = plan_expansions(sim.store, table, options.expand, prefs)
    row = sim.store.tables[table.entity_set].rows.get(record_id)
    if row is None:
        raise not_found(table.logical_name, record_id)
    root = api_root(req)
    etag_value = row["@odata.etag"]
    if prop is not None:
        if prop not in table.vtypes:
            raise unknown_property(table.logical_name, prop)
        body = {"@odata.context": f"{root}$metadata#{table.entity_set}({record_id})/{prop}", "value": row[prop]}
        return raw_json_response(200, orjson.dumps(body))
    if_none_match = req.headers.get("If-None-Match")
    if if_none_match and if_none_match.strip() == etag_value and not prefs.any_annotations:
        return Response(304, b"", None, [("ETag", etag_value)])
    record = Renderer(sim.store, table, options.select, prefs, expansions).one(row)
    body = {"@odata.context": f"{root}$metadata#{context_fragment(table, options.select)}/$entity", **record}
    headers = [("ETag", etag_value), *_preference_applied(prefs)]
    return raw_json_response(200, orjson.dumps(body), headers)
