"""The objects the Watchtower API returns: :class:`Service` (a page of them:
:class:`ServicePage`), :class:`Event`, :class:`EventPage`, the event :class:`Level` and :data:`AttributeValue`, for API keys :class:`ApiKey`, :class:`CreatedKey` and
:class:`Identity`, the :class:`Delivery` of a test alert, the :class:`AlertRecord` of an
alert as it fared, the :class:`Ping` of a service's ping history, the :class:`Channels` a server
can alert (each :class:`Channel`, :class:`Route` and :class:`PingKey`), a
:class:`ScheduleExplanation` of a cron expression, and the :class:`DailyUptime` of every service.

Dates are timezone-aware :class:`datetime.datetime` objects in UTC; whole UTC days (of uptime)
are :class:`datetime.date` objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

__all__ = [
    "Level",
    "Service",
    "SERVICE_STATUSES",
    "ServicePage",
    "Event",
    "EventPage",
    "AttributeValue",
    "ApiKey",
    "CreatedKey",
    "Identity",
    "Delivery",
    "AlertRecord",
    "ALERT_KINDS",
    "ALERT_STATES",
    "Ping",
    "PING_KINDS",
    "PING_SOURCES",
    "TARGET_FORMS",
    "Channel",
    "Channels",
    "Route",
    "RouteStep",
    "PingKey",
    "ScheduleExplanation",
    "DailyUptime",
    "DayUptime",
    "parse_datetime",
    "parse_date",
    "format_datetime",
]


class Level(str, Enum):
    """The level of an event, from least to most severe.

    A ``Level`` is a ``str``, so ``Level.WARNING == "warning"``. Levels compare by severity::

        >>> Level.ERROR > Level.WARNING
        True
        >>> Level("WARN")          # any case, and the server's alias "warn"
        <Level.WARNING: 'warning'>
    """

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"

    @classmethod
    def _missing_(cls, value: object) -> Optional["Level"]:
        if isinstance(value, str):
            name = value.strip().lower()
            if name == "warn":
                name = "warning"
            for level in cls:
                if level.value == name:
                    return level
        return None

    @property
    def rank(self) -> int:
        """0 for ``DEBUG`` up to 4 for ``CRITICAL``."""
        return _RANKS[self.value]

    def __str__(self) -> str:
        return self.value

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Level):
            return self.rank < other.rank
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Level):
            return self.rank <= other.rank
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Level):
            return self.rank > other.rank
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Level):
            return self.rank >= other.rank
        return NotImplemented


_RANKS = {"debug": 0, "info": 1, "warning": 2, "error": 3, "critical": 4}

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 date, as the server writes them, into an aware UTC datetime.

    Works on Python 3.8 (whose ``fromisoformat`` rejects a trailing ``Z``), and with any
    number of fractional digits (kept to the microsecond).

    >>> parse_datetime("2026-11-25T06:12:32.660Z")
    datetime.datetime(2026, 11, 25, 6, 12, 32, 660000, tzinfo=datetime.timezone.utc)
    """
    m = _RFC3339.match(text.strip())
    if not m:
        raise ValueError(f"not an RFC 3339 date: {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    fraction = m.group(7) or ""
    micro = int((fraction + "000000")[:6])
    if m.group(8):
        tz = timezone.utc
    else:
        sign = 1 if m.group(9) == "+" else -1
        tz = timezone(sign * timedelta(hours=int(m.group(10)), minutes=int(m.group(11))))
    # RFC 3339 allows a leap second (:60); datetime does not, so take the next instant.
    leap = second == 60
    value = datetime(year, month, day, hour, minute, 59 if leap else second, micro, tzinfo=tz)
    if leap:
        value += timedelta(seconds=1)
    return value.astimezone(timezone.utc)


def parse_date(text: str) -> date:
    """Parse a calendar day as the server writes them (``"2026-12-03"``, a UTC day) into a
    :class:`datetime.date`.

    >>> parse_date("2026-12-03")
    datetime.date(2026, 12, 3)
    """
    m = _DAY.match(text.strip())
    if not m:
        raise ValueError(f"not a date of the form YYYY-MM-DD: {text!r}")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


#: :class:`datetime.date`, for fields named ``date``.
_Date = date


def format_datetime(value: Union[datetime, float, int, str]) -> str:
    """Render a date for a query parameter: RFC 3339 in UTC, or Unix epoch seconds.

    A naive datetime is taken to be in UTC, like every date the server writes. Numbers are
    epoch seconds, and strings are passed through as they are.

    >>> format_datetime(datetime(2026, 11, 25, 6, 12, 32, 660000, tzinfo=timezone.utc))
    '2026-11-25T06:12:32.660000Z'
    >>> format_datetime(1764050000.5)
    '1764050000.5'
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, bool):
        raise TypeError("a date must be a datetime, epoch seconds or a string, not a bool")
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"a date must be a datetime, epoch seconds or a string, not {type(value).__name__}")


#: The service statuses this version of the client knows. A server may send others:
#: :attr:`Service.status` keeps any string as it is.
SERVICE_STATUSES: Tuple[str, ...] = ("new", "up", "late", "dead", "paused")


def _optional_datetime(value: Optional[str]) -> Optional[datetime]:
    return parse_datetime(value) if value is not None else None


@dataclass(frozen=True)
class Service:
    """A monitored service, as the server reports it after a pulse, a declaration, a cancel, a
    pause or a resume, or in a listing.

    Attributes:
        service: the service's name.
        alert_type: a channel the server has configured: ``"mail"``, ``"webhook"``, ``"slack"``, ``"pagerduty"``, ``"route"``….
        alert_target: the address, Pushover key or webhook name alerts go to.
        next_in: seconds the last pulse allowed until the next one; for a schedule, the
            seconds from the last pulse to the schedule's next time.
        last_pulse: when the last pulse arrived.
        deadline: when the service is declared dead without another pulse.
        status: where the service stands, one of :data:`SERVICE_STATUSES` — ``"up"``,
            ``"late"`` (past its expected time, within its ``grace``: shown, not alerted; only
            :meth:`Client.list_services` reports it), ``"dead"`` (missed its deadline),
            ``"paused"`` (neither dies nor alerts until it pulses or is resumed) or ``"new"``
            (declared, never pulsed) — or any other string a newer server sends, kept as it
            is. Test it with :attr:`is_up`, :attr:`is_late`, :attr:`is_dead`,
            :attr:`is_paused` and :attr:`is_new`.
        remind_every: seconds between reminders while dead, if set.
        depends_on: the service this one depends on, if set.
        flapping_since: since when the service is flapping, while it is.
        schedule: the cron expression the service pulses by, if it pulsed with one.
        tz: the IANA time zone of its schedule (``"UTC"`` unless the pulse gave one); ``None``
            without a schedule.
        grace: seconds past the expected time before the service is dead, if set; the
            ``deadline`` includes it.
        first_seen: when the server first monitored the service (its first pulse or its
            declaration); ``None`` from a server that does not report it.
        never_pulsed: True while the service was declared (:meth:`Client.declare`) and has
            never pulsed — whether still ``"new"`` or already ``"dead"``; False once it pulses.
        running_since: while a run is under way, when it started (:meth:`Client.start`, or a
            ping URL's ``/start``); ``None`` otherwise. The next pulse or failure clears it.
    """

    service: str
    alert_type: str
    alert_target: str
    next_in: float
    last_pulse: datetime
    deadline: datetime
    status: str
    remind_every: Optional[float] = None
    depends_on: Optional[str] = None
    flapping_since: Optional[datetime] = None
    schedule: Optional[str] = None
    tz: Optional[str] = None
    grace: Optional[float] = None
    first_seen: Optional[datetime] = None
    never_pulsed: bool = False
    running_since: Optional[datetime] = None

    @property
    def is_running(self) -> bool:
        """True while a run is under way: started, and not yet ended by a pulse or a failure."""
        return self.running_since is not None

    @property
    def is_up(self) -> bool:
        """True while the service is ``up`` (not ``late``, which is past its expected time)."""
        return self.status == "up"

    @property
    def is_late(self) -> bool:
        """True while the service is past its expected time but within its grace: not yet dead,
        and not alerted."""
        return self.status == "late"

    @property
    def is_dead(self) -> bool:
        """True once the service has missed its deadline."""
        return self.status == "dead"

    @property
    def is_paused(self) -> bool:
        """True while the service is paused: it neither dies nor alerts until it pulses or is
        resumed."""
        return self.status == "paused"

    @property
    def is_new(self) -> bool:
        """True while the service is declared (:meth:`Client.declare`), has never pulsed and
        is not yet past its first deadline (see also :attr:`never_pulsed`)."""
        return self.status == "new"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Service":
        """Build a Service from the server's JSON object (unknown keys are ignored)."""
        remind = data.get("remindEvery")
        grace = data.get("grace")
        return cls(
            service=data["service"],
            alert_type=data["alertType"],
            alert_target=data["alertTarget"],
            next_in=float(data["nextIn"]),
            last_pulse=parse_datetime(data["lastPulse"]),
            deadline=parse_datetime(data["deadline"]),
            status=data["status"],
            remind_every=float(remind) if remind is not None else None,
            depends_on=data.get("dependsOn"),
            flapping_since=_optional_datetime(data.get("flappingSince")),
            schedule=data.get("schedule"),
            tz=data.get("tz"),
            grace=float(grace) if grace is not None else None,
            first_seen=_optional_datetime(data.get("firstSeen")),
            never_pulsed=data.get("neverPulsed") is True,
            running_since=_optional_datetime(data.get("runningSince")),
        )


@dataclass(frozen=True)
class ServicePage:
    """One page of :meth:`Client.list_services_page`.

    Iterating a page iterates its services. ``next_cursor`` is ``None`` on the last page;
    otherwise pass it as ``cursor=`` with the same filters to get the next page::

        page = client.list_services_page(status="dead", limit=100)
        while True:
            for service in page:
                print(service.service, service.deadline)
            if page.next_cursor is None:
                break
            page = client.list_services_page(status="dead", limit=100, cursor=page.next_cursor)

    Attributes:
        services: the services of this page, sorted by name.
        next_cursor: the cursor of the next page (the name of this page's last service), or
            ``None`` if this page is the last.
    """

    services: List[Service] = field(default_factory=list)
    next_cursor: Optional[str] = None

    @property
    def has_next(self) -> bool:
        """True when more services match than this page holds."""
        return self.next_cursor is not None

    def __iter__(self) -> Iterator[Service]:
        return iter(self.services)

    def __len__(self) -> int:
        return len(self.services)


#: The value of an event's attribute: a string, a number (an ``int`` or a ``float``) or a
#: boolean. An event carries them by name, in :attr:`Event.attributes`.
AttributeValue = Union[str, int, float, bool]


@dataclass(frozen=True)
class Event:
    """An event stored by the server.

    Attributes:
        id: the server's id for the event, increasing with each stored event.
        service: the service the event is about.
        level: its :class:`Level`.
        message: its text.
        date: when the server received it.
        attributes: its attributes, names to strings, numbers or booleans as they were stored
            (``{"host": "web-1", "status": 503, "retry": True}``), sorted by name; an empty
            dict when it has none. A number the server holds as a float comes back a float
            (``1e3`` as ``1000.0``).
    """

    id: int
    service: str
    level: Level
    message: str
    date: datetime
    # Not hashed (a dict cannot be), so an Event stays hashable; still compared.
    attributes: Dict[str, AttributeValue] = field(default_factory=dict, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Event":
        """Build an Event from the server's JSON object (unknown keys are ignored)."""
        return cls(
            id=int(data["id"]),
            service=data["service"],
            level=Level(data["level"]),
            message=data["message"],
            date=parse_datetime(data["date"]),
            attributes=dict(data.get("attributes") or {}),
        )


@dataclass(frozen=True)
class EventPage:
    """One page of :meth:`Client.list_events`.

    Iterating a page iterates its events. ``next_cursor`` is ``None`` on the last page;
    otherwise pass it as ``cursor=`` with the same filters to get the next page::

        page = client.list_events(service="backup", limit=100)
        while True:
            for event in page:
                print(event.date, event.message)
            if page.next_cursor is None:
                break
            page = client.list_events(service="backup", limit=100, cursor=page.next_cursor)

    Attributes:
        events: the events of this page, in the order asked for.
        next_cursor: the opaque cursor of the next page, or ``None`` if this page is the last.
    """

    events: List[Event] = field(default_factory=list)
    next_cursor: Optional[str] = None

    @property
    def has_next(self) -> bool:
        """True when more events match than this page holds."""
        return self.next_cursor is not None

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


@dataclass(frozen=True)
class ApiKey:
    """An API key, as :meth:`Client.list_keys` and :meth:`Client.revoke_key` report it: everything
    but its secret, which the server shows once, to :meth:`Client.create_key`, and never again.

    Attributes:
        name: the key's name, unique among live keys.
        scope: what it may do: ``"read"`` (every read), ``"ingest"`` (pulses and events only,
            no reads), ``"write"`` (ingest, plus declaring, cancelling, pausing and
            snoozing) or ``"admin"`` (everything, the keys included).
        prefix: if set, the key touches only services whose names start with it.
        created: when it was created.
        expires: when it stops working, or ``None`` for never (until revoked).
        revoked: when it was revoked, or ``None`` while it is live.
        last_used: when it was last used, to within a second or so, or ``None`` if never.
    """

    name: str
    scope: str
    prefix: Optional[str]
    created: datetime
    expires: Optional[datetime]
    revoked: Optional[datetime]
    last_used: Optional[datetime]

    @property
    def is_revoked(self) -> bool:
        """True once the key has been revoked."""
        return self.revoked is not None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ApiKey":
        """Build an ApiKey from the server's JSON object (unknown keys, the secret among them,
        are ignored)."""
        return cls(**_key_fields(data))


@dataclass(frozen=True)
class CreatedKey(ApiKey):
    """A key just created by :meth:`Client.create_key`: an :class:`ApiKey` with its ``secret``.

    The secret (``"wtk_…"``) is shown this once and stored nowhere on the server: keep it, and
    give it to a :class:`Client` in the password's place. It is left out of ``repr()``, so that
    logging the key does not leak it.

    Attributes:
        secret: the credential, sent like the password.
    """

    secret: str = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "CreatedKey":
        """Build a CreatedKey from the server's JSON object (unknown keys are ignored)."""
        return cls(**_key_fields(data), secret=data["secret"])


def _key_fields(data: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "name": data["name"],
        "scope": data["scope"],
        "prefix": data.get("prefix"),
        "created": parse_datetime(data["created"]),
        "expires": _optional_datetime(data.get("expires")),
        "revoked": _optional_datetime(data.get("revoked")),
        "last_used": _optional_datetime(data.get("lastUsed")),
    }


@dataclass(frozen=True)
class Identity:
    """Who the client's credential is, and what it may do, as :meth:`Client.whoami` reports it.

    Attributes:
        name: ``"password"``, the key's name, or the user's name.
        kind: ``"password"``, ``"key"``, or ``"user"`` (signed in by a trusted proxy).
        scope: ``"read"``, ``"ingest"``, ``"write"`` or ``"admin"``; the password is ``"admin"``.
        prefix: if set, only services whose names start with it are seen and touched.
        may: what the scope allows, of ``"read"``, ``"ingest"``, ``"write"`` and ``"admin"``
            (an ``ingest`` key may ingest only; a ``write`` key may read, ingest and write).
    """

    name: str
    kind: str
    scope: str
    prefix: Optional[str] = None
    may: Tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Identity":
        """Build an Identity from the server's JSON object (unknown keys are ignored)."""
        return cls(
            name=data["name"],
            kind=data["kind"],
            scope=data["scope"],
            prefix=data.get("prefix"),
            may=tuple(data.get("may") or ()),
        )


@dataclass(frozen=True)
class Delivery:
    """A channel that took a test alert, as :meth:`Client.test_alert` reports it.

    ``str(delivery)`` is ``"alert_type:alert_target"`` (``"webhook:ops"``), as the command line
    writes it.

    Attributes:
        alert_type: the channel: ``"webhook"``, ``"mail"``, ``"slack"``… (never ``"route"``: a
            route's channels are listed one by one).
        alert_target: the address, key or configured name the message went to.
    """

    alert_type: str
    alert_target: str

    def __str__(self) -> str:
        return f"{self.alert_type}:{self.alert_target}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Delivery":
        """Build a Delivery from the server's JSON object (unknown keys are ignored)."""
        return cls(alert_type=data["alertType"], alert_target=data["alertTarget"])


#: The alert kinds this version of the client knows. A server may send others:
#: :attr:`AlertRecord.kind` keeps any string as it is.
ALERT_KINDS: Tuple[str, ...] = ("down", "up", "reminder", "flapping", "stable", "digest", "event")

#: The alert states :meth:`Client.list_alerts` filters by (besides ``"failing"``, pending after a
#: failed attempt). :attr:`AlertRecord.state` keeps any other string a newer server sends.
ALERT_STATES: Tuple[str, ...] = ("pending", "sent", "failed", "cancelled", "suppressed", "digested")


@dataclass(frozen=True)
class AlertRecord:
    """An alert as it fared, as :meth:`Client.list_alerts` reports it: what the server's outbox
    holds about it, to see why an alert did (or did not) arrive.

    Attributes:
        id: the server's id for the alert, increasing with each alert.
        kind: what it is about, one of :data:`ALERT_KINDS` — ``"down"``, ``"up"``,
            ``"reminder"``, ``"flapping"``, ``"stable"``, ``"digest"`` or ``"event"`` — or any
            other string a newer server sends, kept as it is.
        service: the service it is about (``"*"`` for a digest).
        alert_type: the channel: ``"webhook"``, ``"mail"``, ``"route"``….
        alert_target: the address, key or configured name it goes to.
        created: when the server made it.
        state: where it stands, one of :data:`ALERT_STATES` — ``"pending"`` (waiting for triage,
            delivery or a retry), ``"sent"``, ``"failed"`` (given up), ``"cancelled"`` (its
            service was cancelled or paused), ``"suppressed"`` (kept back by the policy) or
            ``"digested"`` (folded into a digest) — or any other string a newer server sends.
        attempts: delivery attempts so far.
        last_error: the channel's last error, when an attempt failed
            (``"transient: HTTP 503 …"``); ``None`` otherwise.
        next_attempt: when a pending alert is tried next; ``None`` unless ``state`` is
            ``"pending"``.
        fanned_from: for one channel's delivery of an alert to a route, the ``id`` of the
            route's alert; ``None`` otherwise.
    """

    id: int
    kind: str
    service: str
    alert_type: str
    alert_target: str
    created: datetime
    state: str
    attempts: int
    last_error: Optional[str] = None
    next_attempt: Optional[datetime] = None
    fanned_from: Optional[int] = None

    @property
    def is_failing(self) -> bool:
        """True while the alert is pending after a failed attempt: its channel is in trouble
        (what ``state="failing"`` lists)."""
        return self.state == "pending" and self.attempts > 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "AlertRecord":
        """Build an AlertRecord from the server's JSON object (unknown keys are ignored)."""
        fanned_from = data.get("fannedFrom")
        return cls(
            id=int(data["id"]),
            kind=data["kind"],
            service=data["service"],
            alert_type=data["alertType"],
            alert_target=data["alertTarget"],
            created=parse_datetime(data["created"]),
            state=data["state"],
            attempts=int(data["attempts"]),
            last_error=data.get("lastError"),
            next_attempt=_optional_datetime(data.get("nextAttempt")),
            fanned_from=int(fanned_from) if fanned_from is not None else None,
        )


#: The ping kinds this version of the client knows. A server may send others:
#: :attr:`Ping.kind` keeps any string as it is.
PING_KINDS: Tuple[str, ...] = ("pulse", "start", "fail", "log")

#: Where pings come from, as this version of the client knows them. A server may send others:
#: :attr:`Ping.source` keeps any string as it is.
PING_SOURCES: Tuple[str, ...] = ("api", "cli", "ping", "kuma", "alertmanager")


@dataclass(frozen=True)
class Ping:
    """One ping of a service's history, as :meth:`Client.pings` reports it: a pulse, a run's
    start or failure, or a log line, with where it came from.

    Attributes:
        date: when the server received it.
        kind: what it was, one of :data:`PING_KINDS` — ``"pulse"``, ``"start"`` (a run began),
            ``"fail"`` (a run failed) or ``"log"`` — or any other string a newer server sends,
            kept as it is.
        source: how it came, one of :data:`PING_SOURCES` — ``"api"`` (this client, or any
            other of the API), ``"cli"`` (``watchtower run`` and the command line), ``"ping"``
            (a ping URL), ``"kuma"`` (an Uptime Kuma push) or ``"alertmanager"`` — or any other
            string a newer server sends.
        client: the address it came from (``"127.0.0.1"``), if known.
        user_agent: its ``User-Agent``, if it sent one.
        body: the first KiB of its body (a failure's message), if it had one.
        duration: on the pulse or failure that ended a run a start began, the run's length in
            seconds; ``None`` otherwise.
        count: how many pulses the entry stands for. The server folds identical plain pulses
            (no body, the same source, client and user agent, not ending a run) that come
            within 60 seconds of the entry's first into that entry; 1 for any other.
        last_date: when the last pulse folded into the entry came; ``None`` when ``count``
            is 1 (``date`` is the first's).
    """

    date: datetime
    kind: str
    source: str
    client: Optional[str] = None
    user_agent: Optional[str] = None
    body: Optional[str] = None
    duration: Optional[float] = None
    count: int = 1
    last_date: Optional[datetime] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Ping":
        """Build a Ping from the server's JSON object (unknown keys are ignored)."""
        duration = data.get("duration")
        count = data.get("count")
        return cls(
            date=parse_datetime(data["date"]),
            kind=data["kind"],
            source=data["source"],
            client=data.get("client"),
            user_agent=data.get("userAgent"),
            body=data.get("body"),
            duration=float(duration) if duration is not None else None,
            count=int(count) if count is not None else 1,
            last_date=_optional_datetime(data.get("lastDate")),
        )


#: The forms of ``alertTarget`` a channel takes, as :attr:`Channel.form` names them. A server
#: may send others: :attr:`Channel.form` keeps any string as it is.
TARGET_FORMS: Tuple[str, ...] = ("named", "email", "pattern")


@dataclass(frozen=True)
class Channel:
    """An alert channel the server has configured, and what it takes as ``alertTarget``, as
    :meth:`Client.channels` reports it. Never a URL, token or key.

    Attributes:
        alert_type: what a pulse names as ``alert_type``: ``"mail"``, ``"webhook"``,
            ``"ntfy"``…, or ``"route"`` when routes are configured.
        form: what ``alert_target`` is, one of :data:`TARGET_FORMS` — ``"named"`` (one of
            ``targets``: a configured webhook, Slack webhook, PagerDuty service, route…),
            ``"email"`` (an e-mail address) or ``"pattern"`` (text matching ``pattern``, such as
            an ntfy topic) — or any other string a newer server sends, kept as it is.
        targets: the names it takes, when ``form`` is ``"named"``; empty otherwise.
        pattern: the regular expression a target must match, when ``form`` is ``"pattern"``
            (``"^[A-Za-z0-9_-]{1,64}$"``); ``None`` otherwise. The server may still refuse a
            few targets that match it, such as the topics ntfy keeps for itself.
        max_chars: the longest target, in characters, when ``form`` is ``"pattern"``; ``None``
            otherwise.
    """

    alert_type: str
    form: str
    targets: Tuple[str, ...] = ()
    pattern: Optional[str] = None
    max_chars: Optional[int] = None

    @property
    def is_named(self) -> bool:
        """True when the channel takes one of its :attr:`targets` by name."""
        return self.form == "named"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Channel":
        """Build a Channel from the server's JSON object (unknown keys are ignored)."""
        max_chars = data.get("maxChars")
        return cls(
            alert_type=data["alertType"],
            form=data["form"],
            targets=tuple(data.get("targets") or ()),
            pattern=data.get("pattern"),
            max_chars=int(max_chars) if max_chars is not None else None,
        )


@dataclass(frozen=True)
class RouteStep:
    """One channel of a :class:`Route`.

    ``str(step)`` is ``"alert_type:alert_target"`` (``"webhook:ops"``), as the command line
    writes it.

    Attributes:
        alert_type: the channel: ``"webhook"``, ``"mail"``, ``"slack"``….
        alert_target: the address, key or configured name the route's alerts go to through it.
    """

    alert_type: str
    alert_target: str

    def __str__(self) -> str:
        return f"{self.alert_type}:{self.alert_target}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "RouteStep":
        """Build a RouteStep from the server's JSON object (unknown keys are ignored)."""
        return cls(alert_type=data["alertType"], alert_target=data["alertTarget"])


@dataclass(frozen=True)
class Route:
    """A route the server has configured: what ``alert_type="route"`` with
    ``alert_target=name`` alerts, channel by channel.

    Attributes:
        name: the route's name, the ``alert_target`` that names it.
        steps: its channels, in its order.
    """

    name: str
    steps: Tuple[RouteStep, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Route":
        """Build a Route from the server's JSON object (unknown keys are ignored)."""
        return cls(
            name=data["name"],
            steps=tuple(RouteStep.from_json(step) for step in data.get("steps") or ()),
        )


@dataclass(frozen=True)
class PingKey:
    """A ping key the server has configured (for ping URLs such as ``/ping/<key>/<service>``),
    by name: never the key itself.

    Attributes:
        name: the key's name in the server's configuration.
        service: the one service ``/api/push/<key>`` pulses without ``service=``, if set.
        prefix: if set, the key pings only services whose names start with it…
        services: …or that are in this list. With neither, it may ping any service.
        alert_type: where alerts of services first seen through the key go (``"route"``,
            ``"webhook"``…), or ``None`` if the key sets none.
        alert_target: the target of those alerts, or ``None`` if the key sets none.
    """

    name: str
    service: Optional[str] = None
    prefix: Optional[str] = None
    services: Tuple[str, ...] = ()
    alert_type: Optional[str] = None
    alert_target: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "PingKey":
        """Build a PingKey from the server's JSON object (unknown keys are ignored)."""
        return cls(
            name=data["name"],
            service=data.get("service"),
            prefix=data.get("prefix"),
            services=tuple(data.get("services") or ()),
            alert_type=data.get("alertType"),
            alert_target=data.get("alertTarget"),
        )


@dataclass(frozen=True)
class Channels:
    """What the server can alert, as :meth:`Client.channels` reports it: its channels with the
    targets each takes, its routes and its ping keys, by name and never with a secret.

    Iterating it iterates its channels; :meth:`channel`, :meth:`route` and :meth:`ping_key` find
    one by name.

    Attributes:
        channels: a :class:`Channel` for each configured alert type (``"route"`` among them
            when routes are configured), in the server's order.
        routes: a :class:`Route` for each configured route, by name.
        ping_keys: a :class:`PingKey` for each configured ping key, by name.
    """

    channels: Tuple[Channel, ...] = ()
    routes: Tuple[Route, ...] = ()
    ping_keys: Tuple[PingKey, ...] = ()

    @property
    def alert_types(self) -> Tuple[str, ...]:
        """The alert types a pulse may name on this server (``("mail", "webhook", "route")``)."""
        return tuple(channel.alert_type for channel in self.channels)

    def channel(self, alert_type: str) -> Optional[Channel]:
        """The channel of ``alert_type``, or ``None`` if the server has not configured it."""
        return next((c for c in self.channels if c.alert_type == alert_type), None)

    def route(self, name: str) -> Optional[Route]:
        """The route named ``name``, or ``None`` if there is none."""
        return next((r for r in self.routes if r.name == name), None)

    def ping_key(self, name: str) -> Optional[PingKey]:
        """The ping key named ``name``, or ``None`` if there is none."""
        return next((k for k in self.ping_keys if k.name == name), None)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self.channels)

    def __len__(self) -> int:
        return len(self.channels)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Channels":
        """Build Channels from the server's JSON object (unknown keys are ignored)."""
        return cls(
            channels=tuple(Channel.from_json(item) for item in data.get("channels") or ()),
            routes=tuple(Route.from_json(item) for item in data.get("routes") or ()),
            ping_keys=tuple(PingKey.from_json(item) for item in data.get("pingKeys") or ()),
        )


@dataclass(frozen=True)
class ScheduleExplanation:
    """A cron expression explained, as :meth:`Client.explain_schedule` reports it.

    Attributes:
        schedule: the expression, as the server read it (``"30 2 * * 1-5"``).
        tz: the IANA time zone it is read in (``"UTC"`` unless one was given).
        description: the schedule in words (``"At 02:30, on Monday, Tuesday, …"``).
        next: its next times after now, oldest first, as aware UTC datetimes.
    """

    schedule: str
    tz: str
    description: str
    next: Tuple[datetime, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ScheduleExplanation":
        """Build a ScheduleExplanation from the server's JSON object (unknown keys are ignored)."""
        return cls(
            schedule=data["schedule"],
            tz=data["tz"],
            description=data["description"],
            next=tuple(parse_datetime(item) for item in data.get("next") or ()),
        )


@dataclass(frozen=True)
class DayUptime:
    """A service's uptime on one UTC day, as :meth:`DailyUptime.days` reports it.

    Attributes:
        date: the UTC day.
        uptime: the share of the day the service was up, from 0.0 to 1.0 (today's so far);
            ``None`` before the service was first seen.
    """

    date: _Date
    uptime: Optional[float]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "DayUptime":
        """Build a DayUptime from the server's JSON object (unknown keys are ignored)."""
        return cls(date=parse_date(data["date"]), uptime=_optional_float(data.get("uptime")))


@dataclass(frozen=True)
class DailyUptime:
    """Every service's uptime per UTC day over the last 30 days, as :meth:`Client.daily_uptime`
    reports it.

    Attributes:
        dates: the UTC days, oldest first, today (so far) last.
        services: for each service, by name, its uptime on each of ``dates`` in the same order:
            the share of the day it was up, from 0.0 to 1.0, or ``None`` before it was first seen.
    """

    dates: Tuple[_Date, ...] = ()
    services: Dict[str, Tuple[Optional[float], ...]] = field(default_factory=dict)

    @property
    def today(self) -> Optional[_Date]:
        """The last of ``dates``: today's UTC date when the server answered."""
        return self.dates[-1] if self.dates else None

    def days(self, service: str) -> List[DayUptime]:
        """The uptime of ``service`` on each day, oldest first, paired with its date.

        Raises:
            KeyError: the answer has no service of that name.
        """
        return [DayUptime(day, uptime) for day, uptime in zip(self.dates, self.services[service])]

    def __contains__(self, service: object) -> bool:
        return service in self.services

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "DailyUptime":
        """Build a DailyUptime from the server's JSON object (unknown keys are ignored)."""
        services = data.get("services") or {}
        return cls(
            dates=tuple(parse_date(item) for item in data.get("dates") or ()),
            services={
                name: tuple(_optional_float(value) for value in values)
                for name, values in services.items()
            },
        )


def _optional_float(value: Any) -> Optional[float]:
    return float(value) if value is not None else None
