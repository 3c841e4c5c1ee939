"""Paging decisions against an in-process transport: nextLinks verbatim, loops, foreign links, deltas."""

from __future__ import annotations

from typing import Any

import pytest

from dataverse_client import ChangeTrackingNotEnabled, ExpiredDeltaToken, PagingError
from dataverse_client.paging import LinkGuard, parse_change_page, parse_page

from .handler_adapter import API, Sent, make_client

GUID = "49b0be2e-d01c-ed11-b83e-000d3a572421"
COOKIE = "%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e%22%20/%3E"


def rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"contactid": f"00000000-0000-0000-0000-{i:012d}", "fullname": f"P{i}"} for i in range(start, start + n)]


class TestParse:
    def test_page(self) -> None:
        page = parse_page({"value": rows(2), "@odata.nextLink": f"{API}contacts?$skiptoken={COOKIE}"})
        assert len(page.records) == 2
        assert not page.is_last

    def test_change_page_splits_deletes(self) -> None:
        body = {
            "@odata.context": f"{API}$metadata#contacts(fullname)/$delta",
            "@odata.deltaLink": f"{API}contacts?$select=fullname&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44",
            "value": [
                {"@odata.etag": 'W/"915244"', "fullname": "Monte Orton", "contactid": GUID},
                {
                    "@odata.context": f"{API}$metadata#contacts/$deletedEntity",
                    "id": "2e451703-c686-e711-80e5-00155db19e6d",
                    "reason": "deleted",
                },
            ],
        }
        page = parse_change_page(body)
        assert [r["contactid"] for r in page.records] == [GUID]
        assert page.deleted_ids == ["2e451703-c686-e711-80e5-00155db19e6d"]
        assert page.is_last
        assert page.delta_link == body["@odata.deltaLink"]

    def test_a_row_that_merely_has_a_reason_column_is_not_a_delete(self) -> None:
        row = {"@odata.context": f"{API}$metadata#contacts/$entity", "id": "x", "reason": "deleted"}
        assert parse_change_page({"value": [row], "@odata.deltaLink": f"{API}d"}).records == [row]

    def test_malformed_bodies(self) -> None:
        with pytest.raises(PagingError):
            parse_page({"error": "x"})
        with pytest.raises(PagingError):
            parse_change_page({"value": [], "@odata.nextLink": f"{API}a", "@odata.deltaLink": f"{API}b"})


class TestLinkGuard:
    def test_same_origin_and_no_repeats(self) -> None:
        guard = LinkGuard(API)
        guard.check(f"{API}contacts?$skiptoken=1")
        with pytest.raises(PagingError, match="twice"):
            guard.check(f"{API}contacts?$skiptoken=1")

    @pytest.mark.parametrize(
        "link",
        [
            "https://evil.example/api/data/v9.2/contacts?$skiptoken=1",
            "http://org.example.crm.dynamics.com/api/data/v9.2/contacts",
            "https://org.example.crm.dynamics.com:8443/api/data/v9.2/contacts",
            "https://org.example.crm.dynamics.com/other/contacts",
            "/api/data/v9.2/contacts",
        ],
    )
    def test_links_leaving_the_web_api_are_refused(self, link: str) -> None:
        with pytest.raises(PagingError, match="away"):
            LinkGuard(API).check(link)


class TestQueryPaging:
    def test_follows_next_links_verbatim_with_the_same_prefer(self) -> None:
        next_link = f"{API}contacts?$select=fullname&$skiptoken={COOKIE}"

        def handler(sent: Sent) -> tuple[int, dict[str, str], dict[str, Any]]:
            if "skiptoken" in sent.url:
                return 200, {}, {"value": rows(1, 2)}
            return 200, {}, {"value": rows(2), "@odata.nextLink": next_link}

        client, adapter, _ = make_client(handler)
        pages = list(client.query("contacts", select=["fullname"], page_size=2, include_annotations=True))
        assert [len(p.records) for p in pages] == [2, 1]
        assert pages[0].next_link == next_link
        assert pages[1].is_last
        first, second = adapter.requests_seen
        assert second.url == next_link  # not re-encoded, not rebuilt
        assert (
            first.headers["Prefer"] == second.headers["Prefer"] == ('odata.include-annotations="*",odata.maxpagesize=2')
        )

    def test_pages_are_fetched_lazily(self) -> None:
        client, adapter, _ = make_client(
            lambda sent: (200, {}, {"value": rows(1), "@odata.nextLink": f"{API}x?n={len(adapter.requests_seen)}"})
        )
        pages = client.query("contacts", select=["fullname"])
        assert adapter.requests_seen == []
        next(pages)
        assert len(adapter.requests_seen) == 1

    def test_a_repeated_next_link_is_a_paging_loop(self) -> None:
        loop = f"{API}contacts?$skiptoken=same"
        client, _, _ = make_client(lambda sent: (200, {}, {"value": rows(1), "@odata.nextLink": loop}))
        pages = client.query("contacts")
        next(pages)
        with pytest.raises(PagingError, match="twice"):
            next(pages)

    def test_a_foreign_next_link_is_not_followed(self) -> None:
        client, adapter, _ = make_client(
            lambda sent: (200, {}, {"value": rows(1), "@odata.nextLink": "https://evil.example/steal"})
        )
        with pytest.raises(PagingError):
            list(client.query("contacts"))
        assert len(adapter.requests_seen) == 1  # the bearer token never went to evil.example

    def test_top_sends_no_page_size_and_caps_rows(self) -> None:
        client, adapter, _ = make_client(lambda sent: (200, {}, {"value": rows(5), "@odata.nextLink": f"{API}more"}))
        pages = list(client.query("contacts", select=["fullname"], orderby=["fullname desc"], top=3))
        assert [len(p.records) for p in pages] == [3]
        assert pages[0].is_last
        (sent,) = adapter.requests_seen
        assert sent.url == f"{API}contacts?$select=fullname&$orderby=fullname%20desc&$top=3"
        assert "Prefer" not in sent.headers

    @pytest.mark.parametrize("size", [0, 5001, -1])
    def test_page_size_is_validated_before_any_request(self, size: int) -> None:
        client, adapter, _ = make_client(lambda sent: (200, {}, {"value": []}))
        with pytest.raises(ValueError, match="page_size"):
            client.query("contacts", page_size=size)
        with pytest.raises(ValueError, match="page_size"):
            client.changes("contacts", page_size=size)
        assert adapter.requests_seen == []

    def test_raw_string_filters_are_refused(self) -> None:
        client, _, _ = make_client(lambda sent: (200, {}, {"value": []}))
        with pytest.raises(TypeError, match="odata"):
            client.query("contacts", filter="1 eq 1")  # type: ignore[arg-type]


class TestChanges:
    def test_initial_read_then_delta_link_on_the_last_page(self) -> None:
        delta = f"{API}contacts?$select=fullname&$deltatoken=1%2101%2f01%2f2024"
        replies = iter(
            [
                {"value": rows(2), "@odata.nextLink": f"{API}contacts?$select=fullname&$skiptoken=p2"},
                {"value": rows(1, 2), "@odata.deltaLink": delta},
            ]
        )
        client, adapter, _ = make_client(
            lambda sent: (200, {"Preference-Applied": "odata.track-changes"}, next(replies))
        )
        pages = list(client.changes("contacts", select=["fullname"], page_size=2))
        assert [(len(p.records), p.is_last, p.delta_link) for p in pages] == [(2, False, None), (1, True, delta)]
        assert pages[0].next_link == f"{API}contacts?$select=fullname&$skiptoken=p2"
        assert adapter.requests_seen[0].url == f"{API}contacts?$select=fullname"
        assert all(s.headers["Prefer"] == "odata.maxpagesize=2,odata.track-changes" for s in adapter.requests_seen)

    def test_delta_and_resume_links_are_fetched_verbatim(self) -> None:
        delta = f"{API}contacts?$select=fullname&$deltatoken=5%2101%2f01%2f2024"
        client, adapter, _ = make_client(lambda sent: (200, {}, {"value": [], "@odata.deltaLink": delta}))
        (page,) = client.changes("contacts", delta_link=delta)
        assert page.delta_link == delta  # nothing changed: same link back is fine, not a loop
        resume = f"{API}contacts?$select=fullname&$skiptoken=p7"
        list(client.changes("contacts", resume_from=resume))
        assert [s.url for s in adapter.requests_seen] == [delta, resume]
        with pytest.raises(ValueError, match="not both"):
            client.changes("contacts", delta_link=delta, resume_from=resume)
        with pytest.raises(PagingError):
            client.changes("contacts", delta_link="https://evil.example/api/data/v9.2/contacts")

    def test_expired_token_is_typed(self) -> None:
        error = {"error": {"code": "0x80044352", "message": "Version stamp associated with the client has expired."}}
        client, adapter, _ = make_client(lambda sent: (400, {}, error))
        with pytest.raises(ExpiredDeltaToken):
            list(client.changes("contacts", delta_link=f"{API}contacts?$deltatoken=1"))
        assert len(adapter.requests_seen) == 1  # never retried

    def test_a_read_that_ends_without_a_delta_link_means_no_change_tracking(self) -> None:
        client, _, _ = make_client(lambda sent: (200, {}, {"value": rows(1)}))
        with pytest.raises(ChangeTrackingNotEnabled):
            list(client.changes("contacts"))

    def test_preference_not_applied_means_no_change_tracking(self) -> None:
        client, _, _ = make_client(
            lambda sent: (200, {"Preference-Applied": "odata.maxpagesize=5000"}, {"value": rows(1)})
        )
        with pytest.raises(ChangeTrackingNotEnabled):
            list(client.changes("contacts"))
