"""Python client of Watchtower, the self-hosted heartbeat monitor and event aggregator.

::

    from watchtower_client import Client, Heartbeat, Level

    client = Client("http://127.0.0.1:8080", password="…")

    # Heartbeats: "backup is alive, and will pulse again within 25 hours"
    client.pulse("backup", next_in=90000, alert_type="mail", alert_target="ops@example.com")

    # Declare a service before its first pulse: status "new", dead if no pulse by its deadline
    client.declare("report", schedule="30 2 * * *", tz="Europe/Berlin", grace="30m",
                   alert_type="mail", alert_target="ops@example.com")

    # Services by name prefix and status, every match or a page at a time
    for s in client.list_services(prefix="db-", status=["dead", "late"]):
        print(s.service, s.status, s.deadline)
    for s in client.iter_services(status="dead", page_size=500):
        print(s.service)

    # Quiet a service for maintenance, then watch it again
    client.pause("backup")
    client.resume("backup")

    # Events, with attributes if need be, filtered by level, text and attributes
    client.add_event("backup", Level.WARNING, "disk 91% full")
    client.add_event("web", Level.ERROR, "upstream failed",
                     attributes={"host": "web-1", "status": 503, "retry": True})
    for event in client.iter_events(service="backup", level=Level.WARNING):
        print(event.date, event.level, event.message)
    for event in client.iter_events(service="web", attributes={"host": "web-1", "status": 503}):
        print(event.date, event.message, event.attributes)

    # Pulse from a background thread while the program runs
    with Heartbeat(client, "worker", interval=30, alert_type="webhook", alert_target="ops",
                   cancel_on_stop=True):
        run_the_worker()

    # What the server can alert (channels and their targets, routes, ping keys; never a secret)
    print(client.channels().alert_types)             # ('mail', 'webhook', 'route')

    # A cron expression in words, with its next times; every service's uptime per UTC day
    print(client.explain_schedule("30 2 * * 1-5", tz="Europe/Berlin").description)
    print(client.daily_uptime().days("backup")[-1])  # DayUptime(date=…, uptime=1.0)

    # Check that alerts arrive: a test message through a channel now (a write or admin scope)
    print(client.test_alert("webhook", "ops"))       # [Delivery(alert_type='webhook', …)]

    # Alerts as they fared, newest first: which are waiting for a retry, and why
    for alert in client.list_alerts(state="failing"):
        print(alert.service, alert.alert_type, alert.alert_target, alert.attempts, alert.last_error)

    # A job's run: started (timed, and shown as running), then pulsed, or failed at once
    client.start("report")
    try:
        make_the_report()
        client.pulse("report", next_in=90000, alert_type="mail", alert_target="ops@example.com")
    except Exception as e:
        client.fail("report", f"report failed: {e}")

    # The service's ping history, newest first: where each pulse, start or failure came from
    for ping in client.pings("report", limit=10):
        print(ping.date, ping.kind, ping.source, ping.client, ping.duration)

    # API keys (with the password or an admin key): give the secret to a Client as its password
    key = client.create_key("ci", "ingest", prefix="ci-", expires_in="90d")
    ci = Client("http://127.0.0.1:8080", password=key.secret)
    print(ci.whoami().scope)                          # ingest

See the README for errors, runs and ping history, channels, schedules and uptime, test alerts,
listing alerts, API keys, HTTPS with a custom CA, and pagination.
"""

from ._version import __version__
from .client import Client, DateLike, Timeout
from .errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    RequestTimeoutError,
    ServerUnavailableError,
    WatchtowerError,
)
from .heartbeat import Heartbeat
from .models import (
    ALERT_KINDS,
    ALERT_STATES,
    AlertRecord,
    ApiKey,
    AttributeValue,
    Channel,
    Channels,
    CreatedKey,
    DailyUptime,
    DayUptime,
    Delivery,
    Event,
    EventPage,
    Identity,
    Level,
    PING_KINDS,
    PING_SOURCES,
    Ping,
    PingKey,
    Route,
    RouteStep,
    SERVICE_STATUSES,
    ScheduleExplanation,
    Service,
    ServicePage,
    TARGET_FORMS,
    format_datetime,
    parse_date,
    parse_datetime,
)

__all__ = [
    "__version__",
    "Client",
    "DateLike",
    "Timeout",
    "Heartbeat",
    "Service",
    "SERVICE_STATUSES",
    "ServicePage",
    "Event",
    "EventPage",
    "AttributeValue",
    "Level",
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
    "Channels",
    "Channel",
    "TARGET_FORMS",
    "Route",
    "RouteStep",
    "PingKey",
    "ScheduleExplanation",
    "DailyUptime",
    "DayUptime",
    "parse_datetime",
    "parse_date",
    "format_datetime",
    "WatchtowerError",
    "AuthenticationError",
    "ForbiddenError",
    "InvalidRequestError",
    "ConflictError",
    "NotFoundError",
    "ServerUnavailableError",
    "RequestTimeoutError",
]
