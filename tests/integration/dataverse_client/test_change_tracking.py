"""Change tracking against the simulator: initial read, deltas, resuming mid-read, token expiry."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dataverse_client import ChangePage, DataverseClient, ExpiredDeltaToken
from tests.support.simulator import SimulatorHandle

from .conftest import settings_for
from .test_queries import create_contacts

pytestmark = pytest.mark.integration

SELECT = ["contactid", "lastname", "firstname"]


def read_all(client: DataverseClient, **kwargs: object) -> list[ChangePage]:
    return list(client.changes("contacts", select=SELECT, **kwargs))  # type: ignore[arg-type]


def test_initial_read_then_delta_with_upserts_before_deletes(client: DataverseClient, marker: str) -> None:
    # Given some contacts and a finished initial read
    existing = sorted(create_contacts(client, marker, 3))
    pages = read_all(client, page_size=50)
    assert all(not p.is_last and p.delta_link is None and p.next_link for p in pages[:-1])
    assert pages[-1].is_last
    assert pages[-1].delta_link
    assert pages[-1].next_link is None
    assert set(existing) <= {r["contactid"] for p in pages for r in p.records}
    assert all(not p.deleted_ids for p in pages)  # an initial read has no deletes
    delta_link = pages[-1].delta_link
    # When rows are created, updated and deleted
    created = client.create("contacts", {"lastname": marker, "firstname": "new"})
    client.update("contacts", existing[0], {"firstname": "changed"})
    client.delete("contacts", existing[1])
    # Then the delta holds the creates and updates (current values) first, then the delete
    delta = read_all(client, delta_link=delta_link)
    assert delta[-1].delta_link
    assert delta[-1].delta_link != delta_link
    stream = [("upsert", r["contactid"]) for p in delta for r in p.records] + [
        ("delete", i) for p in delta for i in p.deleted_ids
    ]
    ours = [s for s in stream if s[1] in {created, *existing}]
    assert sorted(ours[:2]) == sorted([("upsert", created), ("upsert", existing[0])])
    assert ours[2:] == [("delete", existing[1])]
    changed = next(r for p in delta for r in p.records if r["contactid"] == existing[0])
    assert changed["firstname"] == "changed"
    # And per page, no upsert comes after a delete
    seen_delete = False
    for page in delta:
        assert not (seen_delete and page.records)
        seen_delete = seen_delete or bool(page.deleted_ids)
    # And a delta with nothing new is empty but still hands back a deltaLink
    quiet = read_all(client, delta_link=delta[-1].delta_link)
    assert [(p.records, p.deleted_ids) for p in quiet] == [([], [])]
    assert quiet[-1].delta_link


def test_resuming_from_a_stored_next_link_continues_mid_read(client: DataverseClient, marker: str) -> None:
    # Given enough rows for several pages and a read interrupted after its second page
    create_contacts(client, marker, 160)
    full = read_all(client, page_size=40)
    assert len(full) >= 4
    reader = client.changes("contacts", select=SELECT, page_size=40)
    first, second = next(reader), next(reader)
    stored = second.next_link
    assert stored
    reader.close()
    # When a new read resumes from the stored nextLink
    resumed = read_all(client, resume_from=stored, page_size=40)
    # Then it yields exactly the pages the uninterrupted read had after that point
    ids = lambda pages: [r["contactid"] for p in pages for r in p.records]  # noqa: E731
    assert ids([first, second]) + ids(resumed) == ids(full)
    assert resumed[-1].delta_link


def test_an_expired_delta_token_raises_expired_delta_token(
    fresh_simulator: Callable[..., SimulatorHandle],
) -> None:
    # Given a simulator that keeps changes for 60 s, and a deltaLink from an initial read
    sim = fresh_simulator("--change-tracking-retention", "60")
    with DataverseClient(settings_for(sim)) as client:
        client.create("contacts", {"lastname": "expiry"})
        delta_link = read_all(client)[-1].delta_link
        assert delta_link
        assert read_all(client, delta_link=delta_link)[-1].delta_link  # still valid now
        # When two minutes pass
        sim.admin("POST", "clock", {"advance_seconds": 120})
        # Then the token is refused with the typed error (and not retried)
        with pytest.raises(ExpiredDeltaToken) as info:
            read_all(client, delta_link=delta_link)
        assert info.value.code == "0x80044352"
        # And a fresh initial read works again
        assert read_all(client)[-1].delta_link
