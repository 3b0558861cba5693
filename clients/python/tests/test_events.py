"""Add events and list them with every filter and with cursor pagination, against a real server."""

from __future__ import annotations

import math
from datetime import timezone
from typing import List

import pytest

from watchtower_client import Client, Event, EventPage, InvalidRequestError, Level


@pytest.fixture
def events(client: Client, name: str) -> List[Event]:
    """Five events of one service, oldest first, one of each level."""
    specs = [
        (Level.DEBUG, "cache warmed"),
        (Level.INFO, "Backup started"),
        (Level.WARNING, "disk 91% full"),
        (Level.ERROR, "backup FAILED: disk full"),
        (Level.CRITICAL, "data center on fire"),
    ]
    return [client.add_event(name, level, message) for level, message in specs]


def test_add_event_returns_the_stored_event(client: Client, name: str) -> None:
    event = client.add_event(name, Level.WARNING, "disk 91% full")
    assert event.service == name
    assert event.level is Level.WARNING
    assert event.message == "disk 91% full"
    assert event.date.tzinfo == timezone.utc
    assert isinstance(event.id, int)
    again = client.add_event(name, "info", "ok")
    assert again.id > event.id and again.date >= event.date


@pytest.mark.parametrize("given", ["WARN", "warn", "Warning", Level.WARNING])
def test_add_event_takes_any_spelling_of_a_level(client: Client, name: str, given: object) -> None:
    assert client.add_event(name, given, "x").level is Level.WARNING  # type: ignore[arg-type]


def test_list_events_newest_first_by_default(client: Client, events: List[Event], name: str) -> None:
    page = client.list_events(service=name)
    assert isinstance(page, EventPage)
    assert page.events == list(reversed(events))
    assert page.next_cursor is None and not page.has_next
    assert len(page) == 5 and list(page) == page.events


def test_order_asc(client: Client, events: List[Event], name: str) -> None:
    assert client.list_events(service=name, order="asc").events == events
    assert client.list_events(service=name, order="desc").events == list(reversed(events))


def test_filter_by_service(client: Client, events: List[Event], name: str) -> None:
    client.add_event(name + "-other", Level.INFO, "not mine")
    assert {e.service for e in client.list_events(service=name).events} == {name}
    assert client.list_events(service="no-such-service").events == []


@pytest.mark.parametrize("level", list(Level))
def test_filter_by_minimum_level(client: Client, events: List[Event], name: str, level: Level) -> None:
    found = client.list_events(service=name, level=level, order="asc").events
    assert found == [e for e in events if e.level >= level]


def test_level_filter_takes_a_string(client: Client, events: List[Event], name: str) -> None:
    found = client.list_events(service=name, level="error").events
    assert [e.level for e in found] == [Level.CRITICAL, Level.ERROR]


def test_filter_by_message_ignores_case(client: Client, events: List[Event], name: str) -> None:
    found = client.list_events(service=name, message="DISK", order="asc").events
    assert [e.message for e in found] == ["disk 91% full", "backup FAILED: disk full"]
    assert client.list_events(service=name, message="backup f").events == [events[3]]


def test_filter_by_date_range(client: Client, events: List[Event], name: str) -> None:
    first, middle, last = events[1], events[2], events[3]
    found = client.list_events(service=name, from_=first.date, to=last.date, order="asc").events
    assert found == [e for e in events if first.date <= e.date <= last.date]
    assert middle in found
    assert client.list_events(service=name, from_=middle.date, to=middle.date).events == [
        e for e in reversed(events) if e.date == middle.date
    ]


def test_dates_as_strings_epoch_seconds_and_naive_utc(client: Client, events: List[Event], name: str) -> None:
    middle = events[2]
    text = middle.date.isoformat().replace("+00:00", "Z")
    assert client.list_events(service=name, from_=text, order="asc").events == [
        e for e in events if e.date >= middle.date
    ]
    naive = middle.date.replace(tzinfo=None)
    assert client.list_events(service=name, to=naive, order="asc").events == [
        e for e in events if e.date <= middle.date
    ]
    since = math.floor(events[0].date.timestamp())
    assert client.list_events(service=name, from_=since, order="asc").events == events
    assert client.list_events(service=name, from_=float(since), order="asc").events == events
    assert client.list_events(service=name, to=since - 1).events == []


def test_every_filter_at_once(client: Client, events: List[Event], name: str) -> None:
    page = client.list_events(
        service=name, from_=events[0].date, to=events[4].date, level=Level.WARNING,
        message="disk", order="asc", limit=1,
    )
    assert page.events == [events[2]] and page.next_cursor is not None
    page = client.list_events(
        service=name, from_=events[0].date, to=events[4].date, level=Level.WARNING,
        message="disk", order="asc", limit=1, cursor=page.next_cursor,
    )
    assert page.events == [events[3]]


def test_pagination_visits_every_event_once(client: Client, name: str) -> None:
    added = [client.add_event(name, Level.INFO, f"event {i}") for i in range(25)]
    pages: List[EventPage] = []
    cursor = None
    while True:
        page = client.list_events(service=name, limit=10, cursor=cursor)
        pages.append(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [e for p in pages for e in p] == list(reversed(added))


def test_iter_events_follows_all_pages(client: Client, name: str) -> None:
    added = [client.add_event(name, Level.INFO, f"event {i}") for i in range(25)]
    assert list(client.iter_events(service=name, page_size=10)) == list(reversed(added))
    assert list(client.iter_events(service=name, page_size=10, order="asc")) == added
    assert list(client.iter_events(service=name, page_size=7, message="event 2", order="asc")) == [
        e for e in added if "event 2" in e.message
    ]
    assert list(client.iter_events(service=name)) == list(reversed(added))


def test_iter_events_can_resume_from_a_cursor(client: Client, name: str) -> None:
    added = [client.add_event(name, Level.INFO, f"event {i}") for i in range(25)]
    first = client.list_events(service=name, limit=10, order="asc")
    rest = list(client.iter_events(service=name, page_size=10, order="asc", cursor=first.next_cursor))
    assert first.events + rest == added


def test_iter_events_is_lazy(client: Client, name: str) -> None:
    for i in range(5):
        client.add_event(name, Level.INFO, f"event {i}")
    iterator = client.iter_events(service=name, page_size=2)
    assert next(iterator).message == "event 4"
    client.add_event(name, Level.INFO, "newer")  # newer than where a newest-first walk started
    assert [e.message for e in iterator] == ["event 3", "event 2", "event 1", "event 0"]


def test_a_cursor_names_a_position_the_order_a_direction(client: Client, events: List[Event], name: str) -> None:
    page = client.list_events(service=name, limit=2)
    back = client.list_events(service=name, limit=2, order="asc", cursor=page.next_cursor)
    assert [e.id for e in back.events] == [page.events[0].id]


def test_a_cursor_the_server_did_not_give_names_cursor(client: Client, name: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.list_events(service=name, cursor="not-a-cursor")
    assert info.value.field == "cursor"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"level": "loud"}, "level"),
        ({"limit": 0}, "limit"),
        ({"order": "sideways"}, "order"),
        ({"from_": "yesterday"}, "from"),
    ],
)
def test_bad_filters_name_their_parameter(client: Client, kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.list_events(**kwargs)
    assert info.value.field == field
    assert info.value.status == 400


def test_bad_events_name_their_field(client: Client, name: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.add_event(name, "loud", "x")
    assert info.value.field == "level"
    with pytest.raises(InvalidRequestError) as info:
        client.add_event(name, Level.INFO, "")
    assert info.value.field == "message"
