"""API keys against a real server: create, list and revoke them with the password, then use
their secrets in the password's place, each scope and prefix allowing what it says."""

from __future__ import annotations

import uuid
from datetime import timedelta, timezone
from typing import Callable, Iterator, List, Optional, Tuple

import pytest
from conftest import WEBHOOK, Server, wait_for

from watchtower_client import (
    ApiKey,
    AuthenticationError,
    Client,
    ConflictError,
    CreatedKey,
    ForbiddenError,
    Identity,
    InvalidRequestError,
    NotFoundError,
    WatchtowerError,
)

KeyMaker = Callable[..., Tuple[CreatedKey, Client]]


@pytest.fixture
def key_name() -> str:
    """A key name no other test uses (keys live as long as the module's server)."""
    return f"key-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_key(server: Server, client: Client) -> Iterator[KeyMaker]:
    """Creates a key with the password, and a client that sends its secret instead."""
    clients: List[Client] = []

    def make(scope: str, prefix: Optional[str] = None) -> Tuple[CreatedKey, Client]:
        key = client.create_key(f"key-{uuid.uuid4().hex[:12]}", scope, prefix=prefix)
        key_client = Client(server.url, key.secret, timeout=10.0)
        clients.append(key_client)
        return key, key_client

    yield make
    for c in clients:
        c.close()


def listed(client: Client, name: str) -> Optional[ApiKey]:
    return next((k for k in client.list_keys() if k.name == name and not k.is_revoked), None)


def test_create_key_returns_the_key_and_its_secret(client: Client, key_name: str) -> None:
    key = client.create_key(key_name, "ingest")
    assert isinstance(key, CreatedKey) and isinstance(key, ApiKey)
    assert key.name == key_name
    assert key.scope == "ingest"
    assert key.prefix is None
    assert key.created.tzinfo == timezone.utc
    assert key.expires is None and key.revoked is None and key.last_used is None
    assert not key.is_revoked
    assert key.secret.startswith("wtk_")
    assert key.secret not in repr(key)


def test_create_key_with_prefix_and_expiry(client: Client) -> None:
    cases = [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        (timedelta(hours=2), timedelta(hours=2)),
        (3600, timedelta(hours=1)),
    ]
    for expires_in, after in cases:
        key = client.create_key(f"key-{uuid.uuid4().hex[:12]}", "write", prefix="team-a-",
                                expires_in=expires_in)
        assert key.prefix == "team-a-"
        assert key.expires is not None
        assert key.expires - key.created == after


def test_the_password_is_admin(client: Client) -> None:
    me = client.whoami()
    assert me == Identity(name="password", kind="password", scope="admin", prefix=None,
                          may=("read", "ingest", "write", "admin"))


@pytest.mark.parametrize(
    "scope, may",
    [
        ("read", ("read",)),
        ("ingest", ("ingest",)),
        ("write", ("read", "ingest", "write")),
        ("admin", ("read", "ingest", "write", "admin")),
    ],
)
def test_whoami_reports_the_key(make_key: KeyMaker, scope: str, may: Tuple[str, ...]) -> None:
    key, key_client = make_key(scope)
    me = key_client.whoami()
    assert me.name == key.name
    assert me.kind == "key"
    assert me.scope == scope
    assert me.prefix is None
    assert me.may == may


def test_a_read_key_reads_but_may_not_pulse(client: Client, make_key: KeyMaker, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    key, reader = make_key("read")
    assert name in [s.service for s in reader.list_services()]
    reader.list_events(service=name)
    for call in (lambda: reader.pulse(name, 60, "webhook", WEBHOOK),
                 lambda: reader.add_event(name, "info", "hello"),
                 lambda: reader.cancel(name)):
        with pytest.raises(ForbiddenError) as info:
            call()
        error = info.value
        assert error.status == 403
        assert isinstance(error, WatchtowerError)
        assert error.message.startswith("scope: ")
        assert f"key `{key.name}` has scope `read`" in error.message
    with pytest.raises(ForbiddenError):
        reader.list_keys()
    client.cancel(name)


def test_an_ingest_key_pulses_but_may_not_read(make_key: KeyMaker, name: str) -> None:
    key, ingester = make_key("ingest")
    assert ingester.pulse(name, 3600, "webhook", WEBHOOK).is_up
    assert ingester.add_event(name, "info", "hello").service == name
    for call in (ingester.list_services, lambda: ingester.list_events(service=name),
                 lambda: ingester.cancel(name), ingester.list_keys):
        with pytest.raises(ForbiddenError) as info:
            call()
        assert info.value.status == 403
        assert f"key `{key.name}` has scope `ingest`" in info.value.message


def test_a_write_key_cancels_but_may_not_manage_keys(make_key: KeyMaker, name: str) -> None:
    _, writer = make_key("write")
    writer.pulse(name, 3600, "webhook", WEBHOOK)
    assert name in [s.service for s in writer.list_services()]
    assert writer.cancel(name).service == name
    with pytest.raises(ForbiddenError) as info:
        writer.create_key(f"key-{uuid.uuid4().hex[:12]}", "admin")
    assert "admin" in info.value.message


def test_an_admin_key_manages_keys(make_key: KeyMaker, key_name: str) -> None:
    _, admin = make_key("admin")
    created = admin.create_key(key_name, "read")
    assert listed(admin, key_name) is not None
    assert admin.revoke_key(key_name).name == created.name


def test_a_prefix_key_touches_only_its_services(client: Client, make_key: KeyMaker) -> None:
    suffix = uuid.uuid4().hex[:8]
    client.pulse(f"team-b-{suffix}", 3600, "webhook", WEBHOOK)
    key, team_a = make_key("write", prefix="team-a-")
    assert team_a.whoami().prefix == "team-a-"
    assert team_a.pulse(f"team-a-{suffix}", 3600, "webhook", WEBHOOK).is_up
    with pytest.raises(ForbiddenError) as info:
        team_a.pulse(f"team-b-x-{suffix}", 3600, "webhook", WEBHOOK)
    assert info.value.status == 403
    assert "team-a-" in info.value.message and f"team-b-x-{suffix}" in info.value.message
    seen = [s.service for s in team_a.list_services()]
    assert f"team-a-{suffix}" in seen
    assert all(s.startswith("team-a-") for s in seen)


def test_list_keys_shows_no_secret_and_when_a_key_was_last_used(
    client: Client, make_key: KeyMaker
) -> None:
    key, reader = make_key("read")
    before = listed(client, key.name)
    assert before is not None
    assert type(before) is ApiKey and not hasattr(before, "secret")
    assert before.scope == "read" and before.created == key.created
    assert key.secret not in repr(client.list_keys())
    reader.list_services()
    # The server records the use in the background, within a second or so.
    used = wait_for(lambda: (k := listed(client, key.name)) is not None and k.last_used and k,
                    timeout=5, what=f"the last use of {key.name}")
    assert used.last_used.tzinfo == timezone.utc
    assert used.last_used >= key.created


def test_a_revoked_key_is_refused(client: Client, make_key: KeyMaker) -> None:
    key, reader = make_key("read")
    assert reader.whoami().name == key.name
    revoked = client.revoke_key(key.name)
    assert revoked.name == key.name and revoked.is_revoked
    assert revoked.revoked is not None and revoked.revoked >= key.created

    def refused() -> bool:
        try:
            reader.whoami()
        except AuthenticationError as e:
            assert e.status == 401
            return True
        return False

    wait_for(refused, timeout=5, what=f"the revoked key {key.name} to be refused")
    assert listed(client, key.name) is None
    assert any(k.name == key.name and k.is_revoked for k in client.list_keys())
    with pytest.raises(NotFoundError) as info:
        client.revoke_key(key.name)
    assert info.value.status == 404 and key.name in info.value.message
    # Its name is free again.
    assert client.create_key(key.name, "read").name == key.name


def test_revoke_a_key_whose_name_is_dots(client: Client) -> None:
    # Names may be all dots; the client must not let URL normalisation turn `/keys/..` into `/`.
    name = ".."
    if listed(client, name) is not None:
        client.revoke_key(name)
    client.create_key(name, "read")
    assert client.revoke_key(name).name == name


def test_a_live_name_is_a_conflict(client: Client, key_name: str) -> None:
    client.create_key(key_name, "read")
    with pytest.raises(ConflictError) as info:
        client.create_key(key_name, "write")
    error = info.value
    assert isinstance(error, InvalidRequestError)
    assert error.status == 409
    assert error.field == "name"
    assert key_name in error.message


def test_invalid_fields_name_the_field(client: Client, key_name: str) -> None:
    cases = [
        (lambda: client.create_key(key_name, "superuser"), "scope", "superuser"),
        (lambda: client.create_key("no spaces", "read"), "name", "letters"),
        (lambda: client.create_key(key_name, "read", expires_in="soon"), "expiresIn", "soon"),
        (lambda: client.create_key(key_name, "admin", prefix="team-a-"), "prefix", "admin"),
    ]
    for call, field, text in cases:
        with pytest.raises(InvalidRequestError) as info:
            call()
        error = info.value
        assert not isinstance(error, ConflictError)
        assert error.status in (400, 422)
        assert error.field == field
        assert text in error.message
    assert listed(client, key_name) is None
