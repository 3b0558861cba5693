"""List services by prefix and status, whole or a page at a time (``GET /``), against a real server."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import PASSWORD, WEBHOOK, Server, wait_for

from watchtower_client import (
    SERVICE_STATUSES,
    Client,
    InvalidRequestError,
    Service,
    ServicePage,
)


class RecordingSession(requests.Session):
    """A session that keeps the method and the full URL (query included) of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: List[Dict[str, Any]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        self.sent.append({"method": method, "url": response.request.url,
                          "status": response.status_code})
        return response


@pytest.fixture
def recorded(server: Server) -> Iterator[Any]:
    """A client whose requests are recorded, and the session recording them."""
    session = RecordingSession()
    with server.client(session=session) as c:
        yield c, session
    session.close()


def names(services: Any) -> List[str]:
    return [s.service for s in services]


def query(url: str) -> Dict[str, List[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@pytest.fixture
def one_of_each(client: Client, name: str) -> Dict[str, str]:
    """Five services under the prefix ``f"{name}-"``, one in each status, by status."""
    by_status = {status: f"{name}-{status}" for status in SERVICE_STATUSES}
    client.pulse(by_status["up"], 3600, "webhook", WEBHOOK)
    client.pulse(by_status["dead"], 0.1, "webhook", WEBHOOK)
    client.pulse(by_status["late"], 0.1, "webhook", WEBHOOK, grace=600)
    client.pulse(by_status["paused"], 3600, "webhook", WEBHOOK)
    client.pause(by_status["paused"])
    client.declare(by_status["new"], 3600, "webhook", WEBHOOK)
    prefix = f"{name}-"
    wait_for(lambda: len(client.list_services(prefix=prefix, status=["dead", "late"])) == 2,
             what=f"{by_status['dead']} to be dead and {by_status['late']} late")
    listed = {s.service: s.status for s in client.list_services(prefix=prefix)}
    assert listed == {service: status for status, service in by_status.items()}
    return by_status


def test_without_arguments_every_service_as_before(recorded: Any, name: str) -> None:
    client, session = recorded
    for suffix in ("b", "a"):
        client.pulse(f"{name}-{suffix}", 3600, "webhook", WEBHOOK)
    services = client.list_services()
    assert session.sent[-1]["method"] == "GET"
    assert session.sent[-1]["url"] == client.url + "/"  # no query at all
    assert names(services) == sorted(names(services))
    assert {f"{name}-a", f"{name}-b"} <= set(names(services))
    assert all(isinstance(s, Service) for s in services)
    # A page without limit is every match, and the last page.
    page = client.list_services_page()
    assert isinstance(page, ServicePage)
    assert page.next_cursor is None and not page.has_next
    assert names(page) == names(services) and len(page) == len(services)


def test_filter_by_prefix(client: Client, name: str) -> None:
    wanted = [f"{name}-b", f"{name}-a", f"{name}-a-c"]
    for n in wanted + [f"{name}x", f"other-{name}-a"]:
        client.pulse(n, 3600, "webhook", WEBHOOK)
    assert names(client.list_services(prefix=f"{name}-")) == sorted(wanted)
    assert names(client.list_services(prefix=f"{name}-a")) == [f"{name}-a", f"{name}-a-c"]
    assert names(client.list_services(prefix=f"{name}-a-c")) == [f"{name}-a-c"]
    assert client.list_services(prefix=f"{name}-z") == []


@pytest.mark.parametrize("status", SERVICE_STATUSES)
def test_filter_by_each_status(client: Client, one_of_each: Dict[str, str], name: str,
                               status: str) -> None:
    services = client.list_services(prefix=f"{name}-", status=status)
    assert names(services) == [one_of_each[status]]
    assert services[0].status == status


def test_several_statuses_as_an_iterable_or_comma_separated(
    recorded: Any, one_of_each: Dict[str, str], name: str
) -> None:
    client, session = recorded
    prefix = f"{name}-"
    expected = sorted([one_of_each["dead"], one_of_each["late"]])
    assert names(client.list_services(prefix=prefix, status=["dead", "late"])) == expected
    assert query(session.sent[-1]["url"]) == {"prefix": [prefix], "status": ["dead,late"]}
    assert names(client.list_services(prefix=prefix, status="dead,late")) == expected
    assert names(client.list_services(prefix=prefix, status=("late", "dead"))) == expected
    assert names(client.list_services(prefix=prefix, status={"dead", "late"})) == expected
    assert names(client.list_services(prefix=prefix, status=(s for s in ["late", "dead"]))) == expected
    everything = sorted(one_of_each.values())
    assert names(client.list_services(prefix=prefix, status=SERVICE_STATUSES)) == everything
    assert names(client.list_services(prefix=prefix)) == everything
    assert names(client.list_services(prefix=prefix, status=["paused", "new", "up"])) == sorted(
        [one_of_each["paused"], one_of_each["new"], one_of_each["up"]]
    )


def test_pages_visit_each_service_once(recorded: Any, name: str) -> None:
    client, session = recorded
    prefix = f"{name}-"
    created = [f"{prefix}{i:02d}" for i in range(25)]
    for n in reversed(created):
        client.pulse(n, 3600, "webhook", WEBHOOK)
    client.pulse(f"{name}x", 3600, "webhook", WEBHOOK)  # not under the prefix
    pages: List[ServicePage] = []
    cursor = None
    while True:
        page = client.list_services_page(prefix=prefix, limit=10, cursor=cursor)
        pages.append(page)
        if page.next_cursor is None:
            break
        assert page.has_next
        cursor = page.next_cursor
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [s.service for p in pages for s in p] == created
    # The cursor is the last name of the page, and every page keeps the filters.
    assert pages[0].next_cursor == created[9]
    assert query(session.sent[-1]["url"]) == {
        "prefix": [prefix], "limit": ["10"], "cursor": [created[19]],
    }
    # A limit of exactly the number of matches is one page, with no cursor.
    whole = client.list_services_page(prefix=prefix, limit=25)
    assert names(whole) == created and whole.next_cursor is None


def test_pages_keep_the_status_filter(client: Client, name: str) -> None:
    prefix = f"{name}-"
    created = [f"{prefix}{i:02d}" for i in range(12)]
    for n in created:
        client.pulse(n, 3600, "webhook", WEBHOOK)
    paused = created[::3]
    for n in paused:
        client.pause(n)
    pages = [client.list_services_page(prefix=prefix, status="paused", limit=3)]
    while pages[-1].next_cursor is not None:
        pages.append(client.list_services_page(prefix=prefix, status="paused", limit=3,
                                               cursor=pages[-1].next_cursor))
    assert [names(p) for p in pages] == [paused[:3], paused[3:]]
    assert all(s.is_paused for p in pages for s in p)
    assert names(client.iter_services(prefix=prefix, status=["up"], page_size=2)) == [
        n for n in created if n not in paused
    ]


def test_iter_services_follows_all_pages_and_resumes_from_a_cursor(
    recorded: Any, name: str
) -> None:
    client, session = recorded
    prefix = f"{name}-"
    created = [f"{prefix}{i:02d}" for i in range(7)]
    for n in created:
        client.pulse(n, 3600, "webhook", WEBHOOK)
    before = len(session.sent)
    assert names(client.iter_services(prefix=prefix, page_size=3)) == created
    assert len(session.sent) - before == 3  # 3 + 3 + 1
    assert names(client.iter_services(prefix=prefix)) == created  # one request, every match
    first = client.list_services_page(prefix=prefix, limit=2)
    rest = names(client.iter_services(prefix=prefix, page_size=2, cursor=first.next_cursor))
    assert names(first) + rest == created
    # A status given as an iterator is read once, and kept for every page.
    late_or_up = client.iter_services(prefix=prefix, status=iter(["up", "late"]), page_size=2)
    assert names(late_or_up) == created


def test_iter_services_is_lazy(recorded: Any, name: str) -> None:
    client, session = recorded
    prefix = f"{name}-"
    for i in range(4):
        client.pulse(f"{prefix}{i}", 3600, "webhook", WEBHOOK)
    before = len(session.sent)
    iterator = client.iter_services(prefix=prefix, page_size=2)
    assert len(session.sent) == before
    assert next(iterator).service == f"{prefix}0"
    assert len(session.sent) == before + 1
    client.pulse(f"{prefix}3a", 3600, "webhook", WEBHOOK)  # after the cursor: still listed
    assert names(iterator) == [f"{prefix}1", f"{prefix}2", f"{prefix}3", f"{prefix}3a"]


@pytest.mark.parametrize(
    "suffixes",
    [["a b", "a+b", "a/b", "a?b#c", "a&b=c", "a,b", "a%20b", "a;b", "é", "日本"]],
)
def test_a_cursor_with_any_characters_makes_its_way_back(
    client: Client, name: str, suffixes: List[str]
) -> None:
    created = [f"{name}-{suffix}" for suffix in suffixes]
    for n in created:
        client.pulse(n, 3600, "webhook", WEBHOOK)
    assert names(client.iter_services(prefix=f"{name}-", page_size=1)) == sorted(created)


def test_a_bad_status_is_a_400_naming_status(client: Client) -> None:
    for call in (client.list_services, client.list_services_page):
        with pytest.raises(InvalidRequestError) as info:
            call(status=["dead", "bogus"])
        assert info.value.status == 400
        assert info.value.field == "status"
        assert "`bogus` is not a status" in info.value.message
    with pytest.raises(InvalidRequestError) as info:
        list(client.iter_services(status="bogus", page_size=10))
    assert info.value.field == "status"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"status": ""}, "status"),
        ({"status": "dead,"}, "status"),
        ({"prefix": ""}, "prefix"),
        ({"prefix": "x" * 256}, "prefix"),
        ({"limit": 0}, "limit"),
        ({"limit": 10001}, "limit"),
        ({"cursor": ""}, "cursor"),
    ],
)
def test_bad_parameters_name_their_parameter(client: Client, kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.list_services_page(**kwargs)
    assert info.value.field == field
    assert info.value.status == 400


@pytest.mark.parametrize(
    "status, error",
    [
        ([], ValueError),
        ((), ValueError),
        (["dead", 1], TypeError),
        (5, TypeError),
        (b"dead", TypeError),
        ([b"dead"], TypeError),
    ],
)
def test_a_status_that_is_not_strings_is_refused_before_sending(
    status: Any, error: type
) -> None:
    # Nothing listens on port 9: a request sent would fail with ServerUnavailableError.
    with Client("http://127.0.0.1:9", PASSWORD, timeout=2) as nowhere:
        with pytest.raises(error):
            nowhere.list_services(status=status)
        with pytest.raises(error):
            nowhere.list_services_page(status=status, limit=10)
        with pytest.raises(error):
            next(nowhere.iter_services(status=status))


def test_a_key_with_a_prefix_sees_only_its_services(
    client: Client, key_client: Any, name: str
) -> None:
    own = [f"{name}-a-{i}" for i in range(3)]
    others = [f"{name}-b-{i}" for i in range(2)]
    for n in own + others:
        client.pulse(n, 3600, "webhook", WEBHOOK)
    client.pause(own[1])
    reader = key_client("read", prefix=f"{name}-a-")
    assert names(reader.list_services()) == own
    assert names(reader.list_services(prefix=f"{name}-")) == own
    assert names(reader.list_services(prefix=own[2])) == [own[2]]
    assert reader.list_services(prefix=f"{name}-b-") == []
    assert names(reader.list_services(status="paused")) == [own[1]]
    assert names(reader.iter_services(prefix=name, page_size=1)) == own
