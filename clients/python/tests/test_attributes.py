"""Event attributes: stored with an event, read back with their types, and filtered by
``attr.NAME=VALUE``, against a real server."""

from __future__ import annotations

from typing import List

import pytest

from watchtower_client import Client, Event, InvalidRequestError, Level
from watchtower_client.client import _json_number


@pytest.fixture
def events(client: Client, name: str) -> List[Event]:
    """Four events of one service, oldest first: three with attributes, one without."""
    return [
        client.add_event(name, Level.ERROR, "upstream failed",
                         attributes={"host": "web-1", "status": 503, "retry": True}),
        client.add_event(name, Level.ERROR, "upstream failed",
                         attributes={"host": "web-2", "status": 503, "retry": False}),
        client.add_event(name, Level.INFO, "served",
                         attributes={"host": "web-1", "status": 200, "ratio": 0.25}),
        client.add_event(name, Level.INFO, "no attributes"),
    ]


def test_attributes_come_back_with_their_types(client: Client, name: str) -> None:
    sent = {"host": "web-1", "status": 503, "ratio": 0.25, "retry": True, "dry": False,
            "big": 1e3, "code": "007", "empty": ""}
    event = client.add_event(name, Level.ERROR, "upstream failed", attributes=sent)
    assert event.attributes == sent
    [listed] = client.list_events(service=name).events
    assert listed == event
    attributes = listed.attributes
    assert list(attributes) == sorted(sent)  # the server sorts the names
    assert type(attributes["status"]) is int and attributes["status"] == 503
    assert type(attributes["ratio"]) is float and attributes["ratio"] == 0.25
    assert attributes["retry"] is True and attributes["dry"] is False
    assert type(attributes["big"]) is float and attributes["big"] == 1000.0  # 1e3 as 1000.0
    assert attributes["code"] == "007" and attributes["empty"] == ""


def test_an_event_without_attributes_has_an_empty_dict(client: Client, name: str) -> None:
    event = client.add_event(name, Level.INFO, "plain")
    assert event.attributes == {}
    assert client.list_events(service=name).events[0].attributes == {}
    assert client.add_event(name, Level.INFO, "empty", attributes={}).attributes == {}


def test_attributes_may_be_any_mapping_and_events_stay_hashable(client: Client, name: str) -> None:
    from types import MappingProxyType

    event = client.add_event(name, Level.INFO, "x", attributes=MappingProxyType({"a": 1}))
    assert event.attributes == {"a": 1}
    assert event in {event}


def test_filter_by_one_attribute(client: Client, events: List[Event], name: str) -> None:
    found = client.list_events(service=name, attributes={"host": "web-1"}, order="asc").events
    assert found == [events[0], events[2]]
    assert client.list_events(service=name, attributes={"host": "web-3"}).events == []
    # an event that lacks the name does not match, whatever the value
    assert client.list_events(service=name, attributes={"ratio": ""}).events == []


def test_filter_by_two_attributes_all_must_match(client: Client, events: List[Event], name: str) -> None:
    both = {"host": "web-1", "status": 503}
    assert client.list_events(service=name, attributes=both).events == [events[0]]
    assert client.list_events(service=name, attributes={"host": "web-2", "status": 200}).events == []


def test_filter_values_compare_as_text(client: Client, events: List[Event], name: str) -> None:
    def found(**attributes: object) -> List[Event]:
        return client.list_events(service=name, attributes=attributes, order="asc").events

    assert found(status=503) == found(status="503") == [events[0], events[1]]
    assert found(retry=True) == found(retry="true") == [events[0]]
    assert found(retry=False) == [events[1]]
    assert found(ratio=0.25) == [events[2]]
    assert found(retry="True") == []  # exact and case-sensitive
    # a string "503" matches the number filter too
    text = client.add_event(name, Level.INFO, "text", attributes={"status": "503"})
    assert text in found(status=503)


def test_numbers_match_as_the_server_writes_them(client: Client, name: str) -> None:
    values = [1e-5, 1.5e-7, 1e16, 1e3, -0.0, 0.1 + 0.2, 2**64 + 5, -(2**63), 2**64 - 1]
    stored = [client.add_event(name, Level.INFO, repr(v), attributes={"v": v}) for v in values]
    for value, event in zip(values, stored):
        assert client.list_events(service=name, attributes={"v": value}).events == [event], value


def test_filters_with_other_filters_and_across_pages(client: Client, events: List[Event], name: str) -> None:
    assert client.list_events(
        service=name, level=Level.ERROR, message="upstream", attributes={"status": 503}, order="asc"
    ).events == [events[0], events[1]]
    assert client.list_events(service=name, level=Level.ERROR, attributes={"status": 200}).events == []
    more = [client.add_event(name, Level.INFO, f"n{i}", attributes={"batch": "b"}) for i in range(5)]
    page = client.list_events(service=name, attributes={"batch": "b"}, limit=2, order="asc")
    assert page.events == more[:2] and page.next_cursor is not None
    page = client.list_events(
        service=name, attributes={"batch": "b"}, limit=2, order="asc", cursor=page.next_cursor
    )
    assert page.events == more[2:4]
    walked = list(client.iter_events(service=name, attributes={"batch": "b"}, page_size=2, order="asc"))
    assert walked == more


def test_filters_alone_read_every_service(client: Client, name: str) -> None:
    mine = client.add_event(name, Level.INFO, "x", attributes={"request id": name + "&=?#"})
    client.add_event(name + "-other", Level.INFO, "y", attributes={"request id": "other"})
    # names and values with spaces and &=?# survive the query string
    assert client.list_events(attributes={"request id": name + "&=?#"}).events == [mine]


@pytest.mark.parametrize(
    "attributes, status",
    [
        ({"nested": {"a": 1}}, 400),
        ({"list": [1, 2]}, 400),
        ({"nothing": None}, 400),
        ({"": "empty name"}, 400),
        ({"tab\tname": 1}, 400),
        ({f"k{i}": i for i in range(33)}, 400),  # more than 32 names
        ({"big": "x" * 4096}, 422),  # more than 4096 bytes as JSON
        ([1, 2], 400),  # not an object at all
    ],
)
def test_bad_attributes_name_the_field(client: Client, name: str, attributes: object, status: int) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.add_event(name, Level.INFO, "x", attributes=attributes)  # type: ignore[arg-type]
    assert info.value.field == "attributes"
    assert info.value.status == status
    assert client.list_events(service=name).events == []  # nothing stored


def test_a_bad_filter_name_is_refused_by_the_server(client: Client) -> None:
    for bad in ("", "k" * 129):
        with pytest.raises(InvalidRequestError) as info:
            client.list_events(attributes={bad: "x"})
        assert info.value.status == 400
        assert info.value.field == "query"
        assert "attribute name" in info.value.message


@pytest.mark.parametrize(
    "attributes, error",
    [
        ({"a": None}, TypeError),
        ({"a": {"b": 1}}, TypeError),
        ({"a": [1]}, TypeError),
        ({1: "x"}, TypeError),
        ([("a", "b")], TypeError),
        ({"a": float("nan")}, ValueError),
        ({"a": float("inf")}, ValueError),
    ],
)
def test_filters_the_client_cannot_write_raise_before_sending(attributes: object, error: type) -> None:
    client = Client("http://127.0.0.1:9", "unused")  # nothing listens: a request would fail otherwise
    with pytest.raises(error):
        client.list_events(attributes=attributes)  # type: ignore[arg-type]
    with pytest.raises(error):
        list(client.iter_events(attributes=attributes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value, text",
    [
        (503, "503"),
        (-4, "-4"),
        (2**64 - 1, "18446744073709551615"),
        (2**64, "1.8446744073709552e+19"),
        (1e3, "1000.0"),
        (0.25, "0.25"),
        (-0.0, "-0.0"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.5e300, "1.5e+300"),
        (1e-4, "0.0001"),
        (1e-5, "0.00001"),
        (1.5e-5, "0.000015"),
        (1e-6, "1e-6"),
        (1.234e-7, "1.234e-7"),
        (5e-324, "5e-324"),
    ],
)
def test_numbers_are_written_as_json_writes_them(value: float, text: str) -> None:
    assert _json_number(value) == text
