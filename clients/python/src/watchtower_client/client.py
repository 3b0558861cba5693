"""The Watchtower HTTP client.

::

    from watchtower_client import Client, Level

    client = Client("http://127.0.0.1:8080", password="…")
    client.pulse("backup", next_in=90000, alert_type="mail", alert_target="ops@example.com")
    client.declare("report", schedule="@daily", alert_type="mail", alert_target="ops@example.com")
    client.add_event("backup", Level.WARNING, "disk 91% full")
    for event in client.iter_events(service="backup", level=Level.WARNING):
        print(event.date, event.level, event.message)
    client.add_event("web", Level.ERROR, "upstream failed", attributes={"host": "web-1", "status": 503})
    for event in client.iter_events(service="web", attributes={"status": 503}):
        print(event.date, event.attributes["host"], event.message)
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union
from urllib.parse import parse_qs, quote, urlsplit

import requests

from ._version import __version__
from .errors import (
    RequestTimeoutError,
    ServerUnavailableError,
    WatchtowerError,
    error_for_status,
)
from .models import (
    AlertRecord,
    ApiKey,
    AttributeValue,
    Channels,
    CreatedKey,
    DailyUptime,
    Delivery,
    Event,
    EventPage,
    Identity,
    Level,
    Ping,
    ScheduleExplanation,
    Service,
    ServicePage,
    format_datetime,
)

__all__ = ["Client", "DateLike", "Timeout"]

#: A date for the ``from_``/``to`` filters: an aware (or UTC naive) datetime, Unix epoch
#: seconds, or a string the server understands (RFC 3339 or epoch seconds).
DateLike = Union[datetime, float, int, str]

#: Seconds to wait for the server: one number for both connecting and reading, a
#: ``(connect, read)`` pair, or ``None`` to wait forever.
Timeout = Union[float, Tuple[float, float], None]


class Client:
    """A client of one Watchtower server.

    Args:
        url: the server's base URL, e.g. ``"https://watchtower.example.com:8080"``. A path is
            kept, so a server behind a reverse proxy at ``https://example.com/watchtower/`` works.
        password: the API password, or the secret of an API key (``"wtk_…"``, see
            :meth:`create_key`), sent in the ``password`` header of every request. A key does
            only what its scope allows, and only to the services its prefix names.
        timeout: seconds to wait for the server (connecting and then reading the answer), a
            ``(connect, read)`` pair, or ``None`` to wait forever. Default 10.
        verify: how to check the server's TLS certificate: ``True`` (default) for the system's
            trusted CAs, a path to a PEM file of CA certificates — or the self-signed server
            certificate itself — to trust instead, or ``False`` to not check at all (insecure).
        session: a :class:`requests.Session` to send requests with, to share a connection pool
            or to set proxies, client certificates or adapters. By default the client makes
            its own, closed by :meth:`close`.

    A client may be shared between threads (a :class:`~watchtower_client.Heartbeat` pulses
    from its own), and is a context manager that closes its connections on exit::

        with Client("https://127.0.0.1:8080", "secret", verify="config/server.crt") as client:
            print(client.list_services())

    Every method raises a :class:`~watchtower_client.WatchtowerError` subclass on failure:
    :class:`~watchtower_client.AuthenticationError` (401),
    :class:`~watchtower_client.ForbiddenError` (403: the key's scope or prefix does not allow it),
    :class:`~watchtower_client.InvalidRequestError` (400, with ``.field``; its subclass
    :class:`~watchtower_client.ConflictError` for 409),
    :class:`~watchtower_client.NotFoundError` (404), and
    :class:`~watchtower_client.ServerUnavailableError` (5xx, unreachable, timed out).
    """

    def __init__(
        self,
        url: str,
        password: str,
        *,
        timeout: Timeout = 10.0,
        verify: Union[bool, str] = True,
        session: Optional[requests.Session] = None,
    ) -> None:
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"the server URL must start with http:// or https://, not {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.verify = verify
        self._password = password
        self._own_session = session is None
        self._session = session if session is not None else requests.Session()

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the client's connections (not those of a session passed in)."""
        if self._own_session:
            self._session.close()

    # -- services -----------------------------------------------------------------------------

    def pulse(
        self,
        service: str,
        next_in: Optional[float] = None,
        alert_type: Optional[str] = None,
        alert_target: Optional[str] = None,
        *,
        schedule: Optional[str] = None,
        tz: Optional[str] = None,
        grace: Union[str, float, timedelta, None] = None,
        remind_every: Optional[float] = None,
        depends_on: Optional[str] = None,
    ) -> Service:
        """Tell the server that ``service`` is alive and will pulse again within ``next_in`` seconds,
        or at the next time of its cron ``schedule``.

        If it does not, the server declares it dead and alerts ``alert_target`` through
        ``alert_type`` (a channel configured on the server: ``"mail"``, ``"webhook"``,
        ``"slack"``, ``"pagerduty"``, ``"route"``…). A pulse replaces the service's previous
        settings, so leaving out ``schedule``, ``grace``, ``remind_every`` or ``depends_on``
        clears them.

        Give exactly one of ``next_in`` and ``schedule``, and ``tz`` only with ``schedule``;
        the client raises :class:`ValueError` otherwise, before sending anything.

        Args:
            service: the service's name, 1–255 printable characters.
            next_in: seconds until the next pulse is due: at least 0.1 (100 ms), fractions
                allowed, at most one year (31536000). Not with ``schedule``.
            alert_type: a channel the server has configured: ``"mail"``, ``"webhook"``, ``"slack"``, ``"pagerduty"``, ``"route"``…. Required.
            alert_target: an e-mail address, a Pushover user or group key, or the name of a
                webhook configured on the server. Required.
            schedule: instead of ``next_in``, a cron expression: five fields (minute hour
                day-of-month month day-of-week, e.g. ``"0 9 * * MON-FRI"``) or one of
                ``@hourly``, ``@daily``, ``@weekly``, ``@monthly``, ``@yearly``. The next pulse
                is due at the schedule's next time after this one.
            tz: the IANA time zone the schedule is read in (``"Europe/Berlin"``); only with
                ``schedule``. The server's default is UTC.
            grace: how long past the expected time (``next_in`` or the schedule's next time)
                the service may still pulse before it is dead: a duration such as ``"15m"``,
                ``"90s"``, ``"2h"`` or ``"1d"``, a :class:`~datetime.timedelta`, or seconds;
                at most one year.
            remind_every: seconds between reminders while the service stays dead, ``0`` for none.
            depends_on: the service this one depends on.

        Returns:
            The service as the server now has it, ``status="up"``. A pulse ends a pause.

        Raises:
            ValueError: neither or both of ``next_in`` and ``schedule``, or ``tz`` without
                ``schedule``.
            InvalidRequestError: the server refused a field, e.g. a cron expression it cannot
                read (``field == "schedule"``, HTTP 400), one that never comes such as
                ``"0 0 30 2 *"`` (``"schedule"``, HTTP 422), or an unknown ``tz``.

        Example::

            service = client.pulse("backup", next_in=90000, alert_type="mail",
                                   alert_target="ops@example.com")
            print(service.deadline)

            # a nightly job at 02:30 Berlin time, dead if not done by 03:00
            client.pulse("report", schedule="30 2 * * *", tz="Europe/Berlin", grace="30m",
                         alert_type="mail", alert_target="ops@example.com")
        """
        if alert_type is None:
            raise TypeError("pulse() missing required argument: 'alert_type'")
        if alert_target is None:
            raise TypeError("pulse() missing required argument: 'alert_target'")
        if next_in is None and schedule is None:
            raise ValueError(
                "give next_in (seconds until the next pulse) or schedule (a cron expression)"
            )
        if next_in is not None and schedule is not None:
            raise ValueError("give either next_in or schedule, not both")
        if tz is not None and schedule is None:
            raise ValueError("tz is the time zone of a schedule: give it with schedule, not next_in")
        body = {"service": service}
        body.update(
            _settings(alert_type, alert_target, next_in, schedule, tz, grace, remind_every, depends_on)
        )
        return Service.from_json(self._call("POST", "/", json=body))

    def declare(
        self,
        service: str,
        next_in: Optional[float] = None,
        alert_type: Optional[str] = None,
        alert_target: Optional[str] = None,
        *,
        schedule: Optional[str] = None,
        tz: Optional[str] = None,
        grace: Union[str, float, timedelta, None] = None,
        remind_every: Optional[float] = None,
        depends_on: Optional[str] = None,
    ) -> Service:
        """Declare ``service`` before its first pulse, or change how a monitored one is watched
        (``PUT /services/{name}``), without pulsing it.

        A service the server does not monitor yet is monitored from now: ``status="new"``,
        ``never_pulsed=True``, its ``last_pulse`` and ``first_seen`` the declaration's date. If
        no pulse comes by its first deadline (the declaration plus ``next_in``, or the
        schedule's next time, plus ``grace``), it dies and is alerted like any other service
        (``never_pulsed`` stays true until it pulses). A service already monitored gets the new
        settings, its deadline counted again from its last pulse, its status kept; declaring it
        as it is changes nothing, so a deployment may declare its services on every start.

        Takes the arguments of :meth:`pulse`, with the same meaning. Like a pulse, a
        declaration replaces the service's settings: leaving out ``schedule``, ``grace``,
        ``remind_every`` or ``depends_on`` clears them. Needs the password or a ``write`` or
        ``admin`` key whose prefix covers the name (an ``ingest`` key may pulse, not declare).

        Unlike :meth:`pulse`, the client sends ``next_in``, ``schedule`` and ``tz`` as they
        are and the server checks them: neither or both of ``next_in`` and ``schedule``, or
        ``tz`` without ``schedule``, raise :class:`InvalidRequestError` naming the field.

        Returns:
            The service as the server now has it: ``status="new"`` when it was just declared,
            otherwise its status as it was.

        Raises:
            InvalidRequestError: the server refused a field (``field`` names it: ``"nextIn"``
                when neither ``next_in`` nor ``schedule`` is given, ``"schedule"`` when both
                are, ``"tz"``, ``"grace"``, ``"alertType"``…).
            ForbiddenError: the key's scope is not ``write`` or ``admin``, or its prefix does
                not cover the name.

        Example::

            # watched from now: dead, and alerted, if it has not pulsed within 25 hours
            service = client.declare("backup", next_in=90000, alert_type="mail",
                                     alert_target="ops@example.com")
            print(service.status, service.never_pulsed, service.deadline)   # new True …

            # a nightly job at 02:30 Berlin time, declared before its first run
            client.declare("report", schedule="30 2 * * *", tz="Europe/Berlin", grace="30m",
                           alert_type="mail", alert_target="ops@example.com")
        """
        if alert_type is None:
            raise TypeError("declare() missing required argument: 'alert_type'")
        if alert_target is None:
            raise TypeError("declare() missing required argument: 'alert_target'")
        body = _settings(
            alert_type, alert_target, next_in, schedule, tz, grace, remind_every, depends_on
        )
        return Service.from_json(self._call("PUT", _service_path(service), json=body))

    def cancel(self, service: str) -> Service:
        """Stop monitoring ``service``: it is forgotten and will never alert.

        Returns:
            The removed service.

        Raises:
            NotFoundError: no service has that name.

        Example::

            client.cancel("old-backup")
        """
        return Service.from_json(self._call("DELETE", "/", json={"service": service}))

    def pause(self, service: str) -> Service:
        """Pause ``service`` (maintenance, a job switched off for a while): it neither dies nor
        alerts until it pulses or is resumed, and alerts not yet sent are dropped.

        Pausing a paused service answers it unchanged. A pulse ends the pause, as
        :meth:`resume` does. Needs the password or a ``write`` or ``admin`` key.

        Returns:
            The service, ``status="paused"``.

        Raises:
            NotFoundError: no service has that name.
            ForbiddenError: the key's scope is not ``write`` or ``admin``, or its prefix does
                not cover the name.

        Example::

            client.pause("backup")        # the backup host is down for maintenance
            ...
            client.resume("backup")
        """
        return Service.from_json(self._call("POST", _service_path(service, "pause")))

    def resume(self, service: str) -> Service:
        """Watch a paused ``service`` again, with a fresh window from now: it is due after its
        ``next_in`` (or at its schedule's next time), plus its grace.

        A service that is not paused is answered unchanged. Needs the password or a ``write``
        or ``admin`` key.

        Returns:
            The service, ``status="up"`` once resumed, its ``deadline`` counted from now.

        Raises:
            NotFoundError: no service has that name.
            ForbiddenError: the key's scope is not ``write`` or ``admin``, or its prefix does
                not cover the name.

        Example::

            service = client.resume("backup")
            print(service.status, service.deadline)
        """
        return Service.from_json(self._call("POST", _service_path(service, "resume")))

    def list_services(
        self,
        *,
        prefix: Optional[str] = None,
        status: Union[str, Iterable[str], None] = None,
    ) -> List[Service]:
        """Every monitored service that matches the filters given, sorted by name, in one
        answer (``GET /``). Without filters, every service.

        A key with a prefix sees only its own services, whatever ``prefix`` asks for. Needs a
        scope that may read (``read``, ``write`` or ``admin``).

        Args:
            prefix: only services whose names start with this (1 to 255 characters).
            status: only services in these statuses: one (``"dead"``), several as an iterable
                (``["dead", "late"]``) or comma-separated (``"dead,late"``), among ``"up"``,
                ``"late"``, ``"dead"``, ``"paused"`` and ``"new"`` (:data:`SERVICE_STATUSES`).
                The server checks the names, so a status a newer server adds works too.

        Returns:
            A :class:`Service` for each match, sorted by name.

        Raises:
            TypeError: ``status`` is neither a string nor an iterable of strings.
            ValueError: ``status`` is an empty iterable (give ``None`` for every status).
            InvalidRequestError: the server refused a parameter, naming it: an unknown status
                (``field == "status"``) or an empty or too long prefix (``"prefix"``).
            ForbiddenError: the key's scope may not read.

        Example::

            for s in client.list_services():
                print(s.service, s.status, s.deadline)

            trouble = client.list_services(prefix="db-", status=["dead", "late"])

        :meth:`list_services_page` and :meth:`iter_services` read the list a page at a time.
        """
        params = _service_filters(prefix, status)
        return [Service.from_json(item) for item in self._call("GET", "/", params=params)]

    def list_services_page(
        self,
        *,
        prefix: Optional[str] = None,
        status: Union[str, Iterable[str], None] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> ServicePage:
        """One page of the services that match the filters, sorted by name (``GET /`` with
        ``limit``).

        Takes the filters of :meth:`list_services`. A key with a prefix sees only its own
        services.

        Args:
            prefix: only services whose names start with this (1 to 255 characters).
            status: only services in these statuses, as :meth:`list_services` takes them.
            limit: at most this many services on the page: 1 to 10000. Without it, the
                server answers every match, as one page with no ``next_cursor``.
            cursor: where the page starts: the ``next_cursor`` of the previous page, asked
                with the same filters.

        Returns:
            A :class:`ServicePage`: its ``services``, and ``next_cursor`` when more match.

        Raises:
            TypeError: ``status`` is neither a string nor an iterable of strings.
            ValueError: ``status`` is an empty iterable (give ``None`` for every status).
            InvalidRequestError: the server refused a parameter, naming it (``"status"``,
                ``"prefix"``, ``"limit"``, ``"cursor"``).
            ForbiddenError: the key's scope may not read.

        Example::

            page = client.list_services_page(status="dead", limit=100)
            for service in page:
                print(service.service)
            if page.next_cursor:
                page = client.list_services_page(status="dead", limit=100,
                                                 cursor=page.next_cursor)

        :meth:`iter_services` follows the pages for you. A cursor names the last service of
        the previous page, not an offset: following the pages visits each match once (a
        service added or removed meanwhile may or may not be listed).
        """
        params = _service_filters(prefix, status)
        if limit is not None:
            params["limit"] = str(limit)
        if cursor is not None:
            params["cursor"] = cursor
        response = self._send("GET", "/", params=params)
        services = [Service.from_json(item) for item in _json(response)]
        return ServicePage(services=services, next_cursor=_next_cursor(response))

    def iter_services(
        self,
        *,
        prefix: Optional[str] = None,
        status: Union[str, Iterable[str], None] = None,
        page_size: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Iterator[Service]:
        """Every service that matches the filters, sorted by name, fetching page after page as
        it is iterated.

        Takes the filters of :meth:`list_services_page`; ``page_size`` is the ``limit`` of each
        request (without it, one request answers every match), and ``cursor`` starts the walk
        at a page found earlier. Each match is seen once.

        Example::

            for service in client.iter_services(status=["dead", "late"], page_size=500):
                print(service.service, service.status)
        """
        statuses = None if status is None else _status_param(status)  # an iterator, read once
        while True:
            page = self.list_services_page(
                prefix=prefix, status=statuses, limit=page_size, cursor=cursor
            )
            yield from page.services
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def explain_schedule(
        self, schedule: str, tz: Optional[str] = None, count: Optional[int] = None
    ) -> ScheduleExplanation:
        """Explain a cron expression as a pulse's ``schedule`` would take it
        (``GET /schedule``): in words, with its next times. Nothing is stored, so a schedule
        may be checked before a job pulses with it. Needs a scope that may read (``read``,
        ``write`` or ``admin``).

        Args:
            schedule: five cron fields (``"30 2 * * 1-5"``) or one of ``@hourly``, ``@daily``,
                ``@weekly``, ``@monthly``, ``@yearly``, as :meth:`pulse` takes them.
            tz: the IANA time zone the schedule is read in (``"Europe/Berlin"``); the server's
                default is UTC.
            count: how many next times: 1 to 20, the server's default 5.

        Returns:
            A :class:`ScheduleExplanation`: the ``schedule`` and ``tz`` as the server read them,
            its ``description`` in words, and its ``next`` times as aware UTC datetimes.

        Raises:
            InvalidRequestError: the server refused a parameter, naming it: a cron expression
                it cannot read (``field == "schedule"``, HTTP 400), one that never comes such
                as ``"0 0 30 2 *"`` (``"schedule"``, HTTP 422), an unknown zone (``"tz"``) or a
                ``count`` out of range (``"count"``).
            ForbiddenError: the key's scope may not read.

        Example::

            explained = client.explain_schedule("30 2 * * 1-5", tz="Europe/Berlin", count=3)
            print(explained.description)   # At 02:30, on Monday, Tuesday, Wednesday, …
            for when in explained.next:
                print(when)                # 2026-12-04 01:30:00+00:00 …
        """
        params: Dict[str, str] = {"schedule": schedule}
        if tz is not None:
            params["tz"] = tz
        if count is not None:
            params["count"] = str(count)
        return ScheduleExplanation.from_json(self._call("GET", "/schedule", params=params))

    def daily_uptime(self) -> DailyUptime:
        """Every service's uptime on each of the last 30 UTC days (``GET /uptime``): the
        share of each day it was up, today's so far.

        A key with a prefix sees only its services. Needs a scope that may read (``read``,
        ``write`` or ``admin``).

        Returns:
            A :class:`DailyUptime`: its ``dates`` (30 :class:`~datetime.date` objects, oldest
            first, today's UTC date last) and, per service, its uptime on each of them, from
            0.0 to 1.0, or ``None`` before the service was first seen.

        Raises:
            ForbiddenError: the key's scope may not read.

        Example::

            uptime = client.daily_uptime()
            for day in uptime.days("backup")[-7:]:
                print(day.date, "-" if day.uptime is None else f"{day.uptime:.1%}")
        """
        return DailyUptime.from_json(self._call("GET", "/uptime"))

    # -- runs and ping history ----------------------------------------------------------------

    def start(
        self,
        service: str,
        next_in: Optional[float] = None,
        alert_type: Optional[str] = None,
        alert_target: Optional[str] = None,
        *,
        schedule: Optional[str] = None,
        tz: Optional[str] = None,
        grace: Union[str, float, timedelta, None] = None,
        remind_every: Optional[float] = None,
        depends_on: Optional[str] = None,
    ) -> Service:
        """Report that a run of ``service`` has begun (``POST /services/{name}/start``): the
        service is pulsed, and marked running (:attr:`Service.running_since`) until its next
        pulse, which ends the run and records how long it took in the ping history
        (:meth:`pings`), or until :meth:`fail`.

        With no settings, the service is pulsed with its own stored settings, and no body is
        sent; it must be monitored already. With settings — the arguments of :meth:`pulse`,
        with the same meaning — it is pulsed with those, which replace its settings as a pulse
        does (so a service not yet monitored may start too); ``alert_type`` and
        ``alert_target`` are then required. As with :meth:`declare`, the server checks
        ``next_in``, ``schedule`` and ``tz``. Needs the password or an ``ingest``, ``write`` or
        ``admin`` key whose prefix covers the name.

        Returns:
            The service as the server now has it, its ``running_since`` set.

        Raises:
            TypeError: settings were given without ``alert_type`` or ``alert_target``.
            NotFoundError: no settings were given, and no service has that name.
            InvalidRequestError: the server refused a field (``field`` names it).
            ForbiddenError: the key's scope may not ingest, or its prefix does not cover the name.

        Example::

            client.start("report")                  # a monitored service, its own settings
            try:
                make_the_report()
                client.pulse("report", next_in=90000, alert_type="mail",
                             alert_target="ops@example.com")   # ends the run, timed
            except Exception as e:
                client.fail("report", f"report failed: {e}")

            # a service not monitored yet starts with its settings
            client.start("import", schedule="@hourly", grace="10m", alert_type="webhook",
                         alert_target="ops")
        """
        given = (next_in, alert_type, alert_target, schedule, tz, grace, remind_every, depends_on)
        if all(value is None for value in given):
            answer = self._call("POST", _service_path(service, "start"))
        else:
            if alert_type is None:
                raise TypeError("start() with settings needs the argument 'alert_type'")
            if alert_target is None:
                raise TypeError("start() with settings needs the argument 'alert_target'")
            body = _settings(
                alert_type, alert_target, next_in, schedule, tz, grace, remind_every, depends_on
            )
            answer = self._call("POST", _service_path(service, "start"), json=body)
        return Service.from_json(answer)

    def fail(self, service: str, message: Optional[str] = None) -> Service:
        """Report that a run of ``service`` failed (``POST /services/{name}/fail``): the
        service is dead at once, and alerted as a death is, without waiting for its deadline.

        ``message`` (what failed: an exit status, the last lines of output) is stored as an
        ``error`` event of the service, and its first KiB is the body of the ``"fail"`` ping in
        :meth:`pings`. Without it, no body is sent and the server records ``"run failed"``. A
        failure ends a run :meth:`start` began, with its duration. A service already dead, or
        paused, is answered as it is. Needs the password or an ``ingest``, ``write`` or
        ``admin`` key whose prefix covers the name.

        Returns:
            The service as the server now has it, ``status="dead"``.

        Raises:
            NotFoundError: no service has that name.
            InvalidRequestError: the server refused the message, e.g. an empty one.
            ForbiddenError: the key's scope may not ingest, or its prefix does not cover the name.

        Example::

            service = client.fail("backup", "exit status 2: tape drive not found")
            print(service.status)                       # dead
        """
        path = _service_path(service, "fail")
        if message is None:
            return Service.from_json(self._call("POST", path))
        return Service.from_json(self._call("POST", path, json={"message": message}))

    def pings(self, service: str, limit: Optional[int] = None) -> List[Ping]:
        """The ping history of ``service``, newest first (``GET /services/{name}/pings``): each
        pulse, run start, failure and log line it sent, with where it came from, its user agent,
        the first KiB of its body, and, on the pulse or failure that ended a run, its duration.

        The server keeps the last 100 pings of each service unless configured otherwise
        (``pingHistory``). Identical plain pulses within 60 seconds of an entry's first are
        folded into it: its :attr:`Ping.count` says how many, its :attr:`Ping.last_date` when
        the last came. Needs a scope that may read (``read``, ``write`` or ``admin``) and,
        for a key with a prefix, one that covers the name.

        Args:
            service: the service's name.
            limit: at most this many pings, the newest: 1 to 10000; by default all that are kept.

        Returns:
            A :class:`Ping` for each, newest first.

        Raises:
            NotFoundError: no service has that name.
            InvalidRequestError: ``limit`` is out of range (``field == "limit"``).
            ForbiddenError: the key's scope may not read, or its prefix does not cover the name.

        Example::

            for ping in client.pings("backup", limit=10):
                print(ping.date, ping.kind, ping.source, ping.client, ping.user_agent,
                      ping.duration)
        """
        params: Dict[str, str] = {}
        if limit is not None:
            params["limit"] = str(limit)
        answer = self._call("GET", _service_path(service, "pings"), params=params)
        return [Ping.from_json(item) for item in answer]

    # -- channels and test alerts -------------------------------------------------------------

    def channels(self) -> Channels:
        """What the server can alert (``GET /channels``): its configured channels with the
        targets each takes, its routes and its ping keys — by name, never with a URL, token or
        key — to offer choices rather than free text, or to check an ``alert_type`` and
        ``alert_target`` before a pulse names them. Needs a scope that may read (``read``,
        ``write`` or ``admin``).

        Returns:
            :class:`Channels`: its ``channels`` (a :class:`Channel` per alert type, ``"route"``
            among them when routes are configured), ``routes`` (each :class:`Route` with its
            steps) and ``ping_keys`` (each :class:`PingKey`).

        Raises:
            ForbiddenError: the key's scope may not read.

        Example::

            offered = client.channels()
            for channel in offered:
                print(channel.alert_type, channel.form, channel.targets, channel.pattern)
            # mail email () None
            # webhook named ('dev', 'ops') None
            # ntfy pattern () ^[A-Za-z0-9_-]{1,64}$
            oncall = offered.route("oncall")
            print([str(step) for step in oncall.steps])   # ['webhook:dev', 'webhook:ops']
        """
        return Channels.from_json(self._call("GET", "/channels"))

    def test_alert(self, alert_type: str, alert_target: str) -> List[Delivery]:
        """Send a test message now through ``alert_type`` to ``alert_target`` — or, when
        ``alert_type`` is ``"route"``, through each channel of the route ``alert_target`` — to
        check that alerts arrive before an outage finds out that they do not.

        The server sends it at once and answers what each channel said: it never queues or
        retries a test alert, and neither does this client (one request, never re-sent). The
        message says it is a test, who asked, and that nothing is down; a webhook receives
        ``"kind": "test"`` and ``"service": "watchtower"``. Needs the password or a ``write``
        or ``admin`` key.

        Args:
            alert_type: a channel configured on the server (``"webhook"``, ``"mail"``,
                ``"slack"``…), or ``"route"``.
            alert_target: what :meth:`pulse` would alert: an e-mail address, the name of a
                configured webhook, the name of a route….

        Returns:
            The channels that took it, one :class:`Delivery` each (a route's channels in its
            order).

        Raises:
            ServerUnavailableError: a channel refused the message or could not be reached
                (``status == 502``); ``message`` is the server's, naming each channel that
                failed and its error (``"alertTarget: not delivered: webhook ops: transient:
                HTTP 503 …"``). With a route, the other channels did get it.
            InvalidRequestError: the server cannot alert that target: an unconfigured channel
                (``field == "alertType"``) or an unknown webhook or route name
                (``field == "alertTarget"``).
            ForbiddenError: the key's scope is ``read`` or ``ingest``.

        Example::

            for delivery in client.test_alert("route", "oncall"):
                print("delivered to", delivery)          # webhook:ops, mail:ops@example.com
        """
        body = {"alertType": alert_type, "alertTarget": alert_target}
        answer = self._call("POST", "/test-alert", json=body)
        return [Delivery.from_json(item) for item in answer["delivered"]]

    # -- alert history ------------------------------------------------------------------------

    def list_alerts(
        self,
        service: Optional[str] = None,
        state: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> List[AlertRecord]:
        """Alerts as they fared, newest first: sent, pending a retry and why, given up, or kept
        back by the policy — to see why an alert did (or did not) arrive, and which channel is
        in trouble.

        An alert to a route is listed once for the route and once per channel, each channel's
        with ``fanned_from`` set. A key with a prefix sees only its services' alerts. Needs a
        scope that may read (``read``, ``write`` or ``admin``).

        Args:
            service: only this service's alerts (exact name).
            state: only alerts in this state: ``"pending"``, ``"sent"``, ``"failed"``,
                ``"cancelled"``, ``"suppressed"``, ``"digested"`` (see :data:`ALERT_STATES`), or
                ``"failing"``: pending after a failed attempt.
            limit: at most this many alerts: 1 to 1000, the server's default 100.

        Returns:
            An :class:`AlertRecord` for each alert, newest first.

        Raises:
            InvalidRequestError: the server refused a parameter, e.g. an unknown ``state``
                (``field == "state"``) or a ``limit`` out of range (``field == "limit"``).
            ForbiddenError: the key's scope may not read, or ``service`` is outside its prefix.

        Example::

            for alert in client.list_alerts(state="failing"):
                print(alert.service, f"{alert.alert_type}:{alert.alert_target}",
                      alert.attempts, alert.last_error, alert.next_attempt)
        """
        params: Dict[str, str] = {}
        if service is not None:
            params["service"] = service
        if state is not None:
            params["state"] = state
        if limit is not None:
            params["limit"] = str(limit)
        return [AlertRecord.from_json(item) for item in self._call("GET", "/alerts", params=params)]

    # -- events -------------------------------------------------------------------------------

    def add_event(
        self,
        service: str,
        level: Union[Level, str],
        message: str,
        *,
        attributes: Optional[Mapping[str, AttributeValue]] = None,
    ) -> Event:
        """Store an event; the server stamps it with the date it received it.

        Args:
            service: the service the event is about.
            level: a :class:`Level`, or its name in any case (``"warn"`` is ``WARNING``).
            message: 1 byte to 64 KiB of text, without NUL characters.
            attributes: names to strings, numbers or booleans, for what a message alone tells
                badly (the host, a status code, a request id): at most 32 names of 1 to 128
                characters without control characters, 4096 bytes in all as JSON. Sent as
                given; the server checks them.

        Returns:
            The stored event, with its ``id``, ``date`` and ``attributes``.

        Raises:
            InvalidRequestError: the server refused a field; ``field`` names it: ``"level"``,
                ``"message"`` or ``"attributes"``. Attributes get HTTP 400 for a value that is
                ``None``, a list or a dict, a bad name or more than 32 names, and 422 for more
                than 4096 bytes.

        Example::

            event = client.add_event("backup", Level.ERROR, "tape drive not found")
            print(event.id, event.date)

            client.add_event("web", Level.ERROR, "upstream failed",
                             attributes={"host": "web-1", "status": 503, "retry": True})
        """
        body: Dict[str, Any] = {"service": service, "level": _level_param(level), "message": message}
        if attributes is not None:
            body["attributes"] = dict(attributes) if isinstance(attributes, Mapping) else attributes
        return Event.from_json(self._call("POST", "/add-event", json=body))

    def list_events(
        self,
        *,
        service: Optional[str] = None,
        from_: Optional[DateLike] = None,
        to: Optional[DateLike] = None,
        level: Union[Level, str, None] = None,
        message: Optional[str] = None,
        order: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        attributes: Optional[Mapping[str, AttributeValue]] = None,
    ) -> EventPage:
        """One page of the events that match every filter given.

        Args:
            service: only this service's events (exact name).
            from_: only events at or after this date (``from`` in the protocol).
            to: only events at or before this date.
            level: only events of this level or above.
            message: only events whose message contains this text, ignoring case.
            order: ``"desc"`` (the server's default: newest first) or ``"asc"``.
            limit: at most this many events on the page: 1 to 10000, the server's default 100.
            cursor: where the page starts: the ``next_cursor`` of the previous page, asked
                with the same filters.
            attributes: only events that have every one of these attributes with this value,
                e.g. ``{"host": "web-1", "status": 503}`` (sent as ``attr.host=web-1`` and
                ``attr.status=503``). Values compare as text, exactly: a string as it is, a
                number as JSON writes it, a boolean as ``true`` or ``false``; so ``503``
                matches the number 503 and the string ``"503"``.

        Returns:
            An :class:`EventPage`: its ``events``, and ``next_cursor`` when more match.

        Raises:
            InvalidRequestError: the server refused a parameter (``field`` names it:
                ``"level"``, ``"limit"``, ``"cursor"``…, or ``"query"`` for an attribute name
                that is empty, longer than 128 characters or holds a control character).
            TypeError: an attribute's name is not a string, or its value not a string, a
                number or a boolean (checked before sending anything).
            ValueError: an attribute's value is a float that is not finite (no stored
                attribute is one).

        Example::

            page = client.list_events(service="backup", level=Level.WARNING, limit=20)
            for event in page:
                print(event.message)
            if page.next_cursor:
                page = client.list_events(service="backup", level=Level.WARNING, limit=20,
                                          cursor=page.next_cursor)

        :meth:`iter_events` follows the pages for you.
        """
        params: Dict[str, str] = {}
        if service is not None:
            params["service"] = service
        if from_ is not None:
            params["from"] = format_datetime(from_)
        if to is not None:
            params["to"] = format_datetime(to)
        if level is not None:
            params["level"] = _level_param(level)
        if message is not None:
            params["message"] = message
        if order is not None:
            params["order"] = order
        if limit is not None:
            params["limit"] = str(limit)
        if cursor is not None:
            params["cursor"] = cursor
        params.update(_attribute_params(attributes))
        response = self._send("GET", "/list-events", params=params)
        events = [Event.from_json(item) for item in _json(response)]
        return EventPage(events=events, next_cursor=_next_cursor(response))

    def iter_events(
        self,
        *,
        service: Optional[str] = None,
        from_: Optional[DateLike] = None,
        to: Optional[DateLike] = None,
        level: Union[Level, str, None] = None,
        message: Optional[str] = None,
        order: Optional[str] = None,
        page_size: Optional[int] = None,
        cursor: Optional[str] = None,
        attributes: Optional[Mapping[str, AttributeValue]] = None,
    ) -> Iterator[Event]:
        """Every event that matches the filters, fetching page after page as it is iterated.

        Takes the filters of :meth:`list_events`; ``page_size`` is the ``limit`` of each
        request, and ``cursor`` starts the walk at a page found earlier. Each event is seen
        exactly once even while new ones arrive (newest-first, those are not in the walk;
        oldest-first, they come at its end).

        Example::

            errors = [e for e in client.iter_events(service="backup", level="error",
                                                     order="asc", page_size=1000)]
            failed = list(client.iter_events(service="web", attributes={"status": 503}))
        """
        if isinstance(attributes, Mapping):
            attributes = dict(attributes)  # the same filters page after page, whatever happens to it
        while True:
            page = self.list_events(
                service=service,
                from_=from_,
                to=to,
                level=level,
                message=message,
                order=order,
                limit=page_size,
                cursor=cursor,
                attributes=attributes,
            )
            yield from page.events
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    # -- API keys and identity ----------------------------------------------------------------

    def create_key(
        self,
        name: str,
        scope: str,
        *,
        prefix: Optional[str] = None,
        expires_in: Union[str, float, timedelta, None] = None,
    ) -> CreatedKey:
        """Create an API key; the answer holds its secret, which the server shows this once.

        Needs the password or an ``admin`` key. Give the secret to a :class:`Client` in the
        password's place.

        Args:
            name: 1 to 64 letters, digits, ``-``, ``_`` or ``.``; no live key may have it.
            scope: ``"read"`` (every read), ``"ingest"`` (pulses and events only, no reads),
                ``"write"`` (ingest, plus declaring, cancelling, pausing and snoozing) or
                ``"admin"`` (everything, the keys included).
            prefix: if given, the key touches only services whose names start with it (not
                for an ``admin`` key).
            expires_in: how long the key works: a duration such as ``"90d"``, ``"12h"`` or
                ``"30m"``, a :class:`~datetime.timedelta`, or seconds. By default, until revoked.

        Returns:
            The new key, with its ``secret``.

        Raises:
            ConflictError: a live key has that name (``field == "name"``).
            InvalidRequestError: a field is invalid, e.g. an unknown ``scope``.

        Example::

            key = client.create_key("ci", "ingest", prefix="ci-", expires_in="90d")
            ci = Client(client.url, key.secret)
            ci.pulse("ci-nightly", next_in=90000, alert_type="webhook", alert_target="ops")
        """
        body: Dict[str, Any] = {"name": name, "scope": scope}
        if prefix is not None:
            body["prefix"] = prefix
        if expires_in is not None:
            body["expiresIn"] = _duration_param(expires_in)
        return CreatedKey.from_json(self._call("POST", "/keys", json=body))

    def list_keys(self) -> List[ApiKey]:
        """Every API key, live and revoked, by name; never their secrets. Needs ``admin``.

        Example::

            for key in client.list_keys():
                print(key.name, key.scope, key.prefix, key.last_used, key.revoked)
        """
        return [ApiKey.from_json(item) for item in self._call("GET", "/keys")]

    def revoke_key(self, name: str) -> ApiKey:
        """Revoke the live API key ``name``: the server refuses it within a second or so.
        Needs ``admin``. The name is then free for a new key.

        Returns:
            The revoked key, its ``revoked`` date set.

        Raises:
            NotFoundError: no live key has that name.

        Example::

            client.revoke_key("ci")
        """
        return ApiKey.from_json(self._call("DELETE", "/keys/" + _path_segment(name)))

    def whoami(self) -> Identity:
        """Who the client's credential is, and what its scope allows; any credential may ask.

        Example::

            me = client.whoami()
            print(me.kind, me.name, me.scope, me.prefix)   # key ci ingest ci-
            if "write" in me.may:
                client.cancel("ci-old")
        """
        return Identity.from_json(self._call("GET", "/whoami"))

    # -- transport ----------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return _json(self._send(method, path, **kwargs))

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.url + path
        headers = {
            "password": self._password,
            "Accept": "application/json",
            "User-Agent": f"watchtower-client-python/{__version__} {requests.utils.default_user_agent()}",
        }
        try:
            response = self._session.request(
                method,
                url,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
                **kwargs,
            )
        except requests.exceptions.Timeout as e:
            raise RequestTimeoutError(f"no answer from {url} within {self.timeout} s") from e
        except requests.exceptions.SSLError as e:
            raise ServerUnavailableError(f"TLS with {url} failed: {_reason(e)}") from e
        except requests.exceptions.ConnectionError as e:
            raise ServerUnavailableError(f"cannot reach {url}: {_reason(e)}") from e
        except requests.exceptions.RequestException as e:
            raise WatchtowerError(f"request to {url} failed: {e}") from e
        if response.status_code >= 400:
            raise error_for_status(response.status_code, _error_message(response))
        if 300 <= response.status_code < 400:
            location = response.headers.get("Location", "?")
            raise WatchtowerError(
                f"the server redirects {url} to {location}; give the client that URL",
                response.status_code,
            )
        return response


def _service_filters(
    prefix: Optional[str], status: Union[str, Iterable[str], None]
) -> Dict[str, str]:
    """The ``prefix`` and ``status`` parameters of ``GET /``, leaving out what is not given."""
    params: Dict[str, str] = {}
    if prefix is not None:
        params["prefix"] = prefix
    if status is not None:
        params["status"] = _status_param(status)
    return params


def _status_param(status: Union[str, Iterable[str]]) -> str:
    """Statuses for the server: one string as it is (``"dead"``, ``"dead,late"``), or the
    strings of an iterable comma-separated. The server checks the names."""
    if isinstance(status, str):
        return status
    kind = type(status).__name__
    if isinstance(status, (bytes, bytearray)):
        raise TypeError(f"status must be a string or an iterable of strings, not {kind}")
    try:
        statuses = list(status)
    except TypeError:
        raise TypeError(f"status must be a string or an iterable of strings, not {kind}") from None
    for item in statuses:
        if not isinstance(item, str):
            raise TypeError(f"each status must be a string, not {type(item).__name__}")
    if not statuses:
        raise ValueError("status must name at least one status; give None for every status")
    return ",".join(statuses)


def _attribute_params(attributes: Optional[Mapping[str, AttributeValue]]) -> Dict[str, str]:
    """``attr.NAME=VALUE`` query parameters, one per attribute. The server checks the names."""
    params: Dict[str, str] = {}
    if attributes is None:
        return params
    if not isinstance(attributes, Mapping):
        kind = type(attributes).__name__
        raise TypeError(f"attributes must be a mapping of names to values, not {kind}")
    for name, value in attributes.items():
        if not isinstance(name, str):
            raise TypeError(f"an attribute's name must be a string, not {type(name).__name__}")
        params["attr." + name] = _attribute_text(name, value)
    return params


def _attribute_text(name: str, value: AttributeValue) -> str:
    """An attribute's value as the server compares it: a string as it is, a boolean as
    ``true`` or ``false``, a number as the server writes it in JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"attribute {name!r}: a number must be finite, not {value!r}")
    if isinstance(value, (int, float)):
        return _json_number(value)
    kind = type(value).__name__
    raise TypeError(
        f"attribute {name!r}: a value must be a string, a number or a boolean, not {kind}"
    )


def _json_number(value: Union[int, float]) -> str:
    """A number as the server writes it in JSON, so that a filter compares the same text.

    An integer that fits 64 bits is itself; any other number is the nearest float, in the
    fewest digits that read back as it: in decimal notation from 1e-5 up to 1e16 (``1000.0``,
    ``0.00001``), in scientific notation outside (``1e+16``, ``1.5e-7``). Python's ``repr``
    differs only in where it switches, and in padding exponents (``1e-05``).

    >>> [_json_number(v) for v in (503, 1e3, 0.25, 1e16, 1e-5, 1.5e-7, 2**64)]
    ['503', '1000.0', '0.25', '1e+16', '0.00001', '1.5e-7', '1.8446744073709552e+19']
    """
    if isinstance(value, int):
        if -(2**63) <= value < 2**64:
            return str(int(value))  # an IntEnum too, as its number
        try:
            value = float(value)
        except OverflowError:  # no float holds it, so no stored attribute is it
            return str(value)
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0.0"
    shortest = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(str(d) for d in shortest.digits)
    exponent = int(shortest.exponent)  # the value is digits × 10**exponent
    point = len(digits) + exponent  # … and 0.digits × 10**point
    if -5 < point <= 16:
        if exponent >= 0:
            text = digits + "0" * exponent + ".0"
        elif point > 0:
            text = digits[:point] + "." + digits[point:]
        else:
            text = "0." + "0" * -point + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = f"{mantissa}e{'+' if point > 0 else '-'}{abs(point - 1)}"
    return sign + text


def _level_param(level: Union[Level, str]) -> str:
    return level.value if isinstance(level, Level) else str(level)


def _duration_param(value: Union[str, float, timedelta]) -> str:
    """A duration for the server: a string as it is (``"90d"``), a timedelta or seconds."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a duration must be a string, a timedelta or seconds, not a bool")
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    kind = type(value).__name__
    raise TypeError(f"a duration must be a string, a timedelta or seconds, not {kind}")


def _settings(
    alert_type: str,
    alert_target: str,
    next_in: Optional[float],
    schedule: Optional[str],
    tz: Optional[str],
    grace: Union[str, float, timedelta, None],
    remind_every: Optional[float],
    depends_on: Optional[str],
) -> Dict[str, Any]:
    """A service's settings as a pulse or a declaration sends them, leaving out what is not given."""
    body: Dict[str, Any] = {"alertType": alert_type, "alertTarget": alert_target}
    optional = {
        "nextIn": next_in,
        "schedule": schedule,
        "tz": tz,
        "grace": None if grace is None else _seconds_or_duration(grace),
        "remindEvery": remind_every,
        "dependsOn": depends_on,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    return body


def _seconds_or_duration(value: Union[str, float, timedelta]) -> Union[str, float, int]:
    """A duration for a JSON field that takes either: a string as it is (``"15m"``), seconds
    as a number, a timedelta as its seconds."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a duration must be a string, a timedelta or seconds, not a bool")
    if isinstance(value, timedelta):
        value = value.total_seconds()
        return int(value) if value.is_integer() else value
    if isinstance(value, (int, float)):
        return value
    kind = type(value).__name__
    raise TypeError(f"a duration must be a string, a timedelta or seconds, not {kind}")


def _path_segment(text: str) -> str:
    """``text`` percent-encoded as one path segment; ``.`` and ``..`` too, which URL
    normalisation would otherwise remove."""
    segment = quote(text, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def _service_path(service: str, action: Optional[str] = None) -> str:
    """``/services/{service}``, or ``/services/{service}/{action}``, the name percent-encoded
    as one segment (it may hold ``/``, ``?``, ``#``, spaces or non-ASCII characters)."""
    path = f"/services/{_path_segment(service)}"
    return f"{path}/{action}" if action is not None else path


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError as e:
        raise WatchtowerError(
            f"the server's answer is not JSON: {response.text[:200]!r}", response.status_code
        ) from e


def _error_message(response: requests.Response) -> str:
    """The server's ``{"error": …}`` text, or the best description of a non-JSON answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return error
    text = response.text.strip()
    if text and len(text) <= 500:
        return text
    return f"HTTP {response.status_code} {response.reason or ''}".strip()


def _next_cursor(response: requests.Response) -> Optional[str]:
    """The ``cursor`` of the ``rel="next"`` link of an RFC 8288 ``Link`` header, if any."""
    link = response.links.get("next")
    if not link:
        return None
    cursors = parse_qs(urlsplit(link.get("url", "")).query).get("cursor")
    return cursors[0] if cursors else None


def _reason(error: Exception) -> str:
    """The innermost useful text of a requests/urllib3 connection error."""
    reason: Any = error.args[0] if error.args else error
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the real cause
    return str(reason)
