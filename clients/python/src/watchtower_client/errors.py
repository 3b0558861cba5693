"""Exceptions raised by the Watchtower client.

Every exception is a :class:`WatchtowerError`, so one ``except`` clause catches them all::

    from watchtower_client import Client, ForbiddenError, InvalidRequestError, WatchtowerError

    try:
        client.pulse("backup", next_in=-1, alert_type="webhook", alert_target="ops")
    except InvalidRequestError as e:
        print(e.field, e.message)   # nextIn must be a positive number of seconds
    except ForbiddenError as e:
        print(e.message)            # the API key's scope or prefix does not allow it
    except WatchtowerError as e:
        print(e.status, e.message)

The server answers errors with a JSON body ``{"error": "field: problem"}``; ``message`` is that
text as the server wrote it.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "WatchtowerError",
    "AuthenticationError",
    "ForbiddenError",
    "InvalidRequestError",
    "ConflictError",
    "NotFoundError",
    "ServerUnavailableError",
    "RequestTimeoutError",
    "error_for_status",
]


class WatchtowerError(Exception):
    """Base class of every error this library raises.

    Attributes:
        status: the HTTP status the server answered, or ``None`` when no answer came
            (connection refused, timeout, TLS failure).
        message: the server's error text (``"nextIn: must be a positive number of seconds"``),
            or a description of what went wrong on the way.
    """

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        if self.status is None:
            return self.message
        return f"{self.message} (HTTP {self.status})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthenticationError(WatchtowerError):
    """The password or API key was missing or wrong, or the key is revoked or expired (HTTP 401)."""


class ForbiddenError(WatchtowerError):
    """The credential is valid, but its scope or prefix does not allow the request (HTTP 403).

    An API key of scope ``read`` that pulses, an ``ingest`` key that lists services, or a key
    bound to the prefix ``team-a-`` that pulses ``team-b-x``. The message names what refused::

        scope: key `ci` has scope `read`; POST / needs ingest, write or admin
        service: key `ci` may touch only services starting with `team-a-`, not `team-b-x`
    """


class InvalidRequestError(WatchtowerError):
    """The server rejected the request as invalid (HTTP 400; or 422: well formed, but breaking
    a rule that relates fields or the clock, such as ``from`` after ``to``; or 409, raised as
    the subclass :class:`ConflictError`).

    Attributes:
        field: the name of the offending field or parameter, as the server named it
            (``"nextIn"``, ``"alertTarget"``, ``"level"``, ``"cursor"``…), or ``None`` if the
            message names none.
    """

    def __init__(self, message: str, status: Optional[int] = 400, field: Optional[str] = None) -> None:
        super().__init__(message, status)
        self.field = field if field is not None else _field_of(message)


class ConflictError(InvalidRequestError):
    """The request conflicts with what the server holds (HTTP 409): creating an API key named
    like a live one (``field`` is ``"name"``; revoke that key first, or choose another name).

    The server also answers 409, with no field, when a concurrent change got in the way of the
    request; that one is worth trying again.
    """

    def __init__(self, message: str, status: Optional[int] = 409, field: Optional[str] = None) -> None:
        super().__init__(message, status, field)


class NotFoundError(WatchtowerError):
    """What the request named does not exist (HTTP 404), e.g. cancelling an unknown service."""


class ServerUnavailableError(WatchtowerError):
    """The server could not be reached or could not serve the request.

    Raised for a 5xx answer (``503`` when the server's storage is unavailable; ``502`` when an
    alert channel refused a :meth:`~watchtower_client.Client.test_alert` or could not be
    reached, the message naming it), and when no answer came at all: connection refused, DNS or
    TLS failure, or a timeout. ``status`` is ``None`` in the latter cases. Such errors are
    usually worth retrying later.
    """


class RequestTimeoutError(ServerUnavailableError):
    """The server did not answer within the client's ``timeout``."""


def _field_of(message: str) -> Optional[str]:
    """The field a ``"field: problem"`` message names: the text before the first ``": "``."""
    field, sep, _ = message.partition(": ")
    if not sep or not field or " " in field:
        return None
    return field


def error_for_status(status: int, message: str) -> WatchtowerError:
    """The exception that matches an HTTP error ``status`` carrying the server's ``message``.

    >>> error_for_status(400, "nextIn: must be a positive number of seconds").field
    'nextIn'
    >>> type(error_for_status(503, "storage unavailable")).__name__
    'ServerUnavailableError'
    >>> type(error_for_status(403, "scope: key `ci` has scope `read`; POST / needs …")).__name__
    'ForbiddenError'
    >>> error_for_status(409, "name: a live key is named `ci`; …").field
    'name'
    """
    if status in (400, 422):
        return InvalidRequestError(message, status)
    if status == 401:
        return AuthenticationError(message, status)
    if status == 403:
        return ForbiddenError(message, status)
    if status == 404:
        return NotFoundError(message, status)
    if status == 409:
        return ConflictError(message, status)
    if status >= 500:
        return ServerUnavailableError(message, status)
    return WatchtowerError(message, status)
