"""A background thread that pulses a service every few seconds until it is stopped.

::

    from watchtower_client import Client, Heartbeat

    client = Client("http://127.0.0.1:8080", password="…")
    with Heartbeat(client, "worker", interval=30, next_in=90,
                   alert_type="mail", alert_target="ops@example.com",
                   cancel_on_stop=True):
        run_the_worker()        # pulsed every 30 s meanwhile; cancelled when it returns
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType
from typing import Optional, Type

from .client import Client
from .errors import NotFoundError, WatchtowerError
from .models import Service

__all__ = ["Heartbeat"]

logger = logging.getLogger("watchtower_client.heartbeat")


class Heartbeat:
    """Pulses ``service`` every ``interval`` seconds from a daemon thread, until stopped.

    Each pulse tells the server to expect the next within ``next_in`` seconds, so a process
    that hangs or dies stops pulsing and is declared dead. ``interval`` must be less than
    ``next_in``, with room for a slow request or one failed pulse: ``next_in`` defaults to
    twice ``interval``.

    A heartbeat beats at a fixed interval, so it always pulses with ``next_in``, never a cron
    ``schedule``: a job that runs on a schedule pulses once per run with
    :meth:`Client.pulse` and ``schedule=`` instead.

    A failed pulse (server unreachable, timeout, rejected request) is logged on the
    ``watchtower_client.heartbeat`` logger and kept in :attr:`last_error`; the thread goes on
    and pulses again at the next tick. The monitored program is never stopped by its monitor.

    Args:
        client: the :class:`Client` to pulse with.
        service: the service's name.
        interval: seconds between pulses (measured from the start of one to the next).
        next_in: the ``nextIn`` of each pulse, greater than ``interval`` and at least 0.1;
            default ``2 * interval``.
        alert_type: a channel the server has configured: ``"mail"``, ``"webhook"``, ``"slack"``, ``"pagerduty"``, ``"route"``….
        alert_target: where alerts go, as for :meth:`Client.pulse`.
        remind_every: sent with each pulse, as for :meth:`Client.pulse`.
        depends_on: sent with each pulse, as for :meth:`Client.pulse`.
        cancel_on_stop: cancel the service when the heartbeat is stopped cleanly, so that a
            program that ends on purpose raises no alarm. A ``with`` block left by an
            exception does *not* cancel: the program failed, and its owner should hear of it.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        heartbeat = Heartbeat(client, "worker", interval=10, alert_type="webhook",
                              alert_target="ops", cancel_on_stop=True)
        heartbeat.start()
        try:
            serve_forever()
        finally:
            heartbeat.stop()
    """

    def __init__(
        self,
        client: Client,
        service: str,
        interval: float,
        *,
        next_in: Optional[float] = None,
        alert_type: str,
        alert_target: str,
        remind_every: Optional[float] = None,
        depends_on: Optional[str] = None,
        cancel_on_stop: bool = False,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be a positive number of seconds, not {interval!r}")
        if next_in is None:
            next_in = 2 * interval
        if not next_in >= 0.1:
            raise ValueError(f"next_in must be at least 0.1 seconds (100 ms), not {next_in!r}")
        if not interval < next_in:
            raise ValueError(
                f"interval ({interval} s) must be less than next_in ({next_in} s), "
                "or the service is declared dead between two pulses"
            )
        self.client = client
        self.service = service
        self.interval = float(interval)
        self.next_in = next_in
        self.alert_type = alert_type
        self.alert_target = alert_target
        self.remind_every = remind_every
        self.depends_on = depends_on
        self.cancel_on_stop = cancel_on_stop
        #: The service as the last successful pulse returned it, or ``None`` before one.
        self.last_service: Optional[Service] = None
        #: The error of the last pulse if it failed, ``None`` once a pulse succeeds.
        self.last_error: Optional[BaseException] = None
        #: How many pulses succeeded.
        self.pulses = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"Heartbeat({self.service!r}, interval={self.interval}, next_in={self.next_in}, {state})"

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "Heartbeat":
        """Start pulsing in a daemon thread: the first pulse goes at once.

        Returns the heartbeat itself. Raises :class:`RuntimeError` if it is already running.
        """
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise RuntimeError(f"the heartbeat of {self.service!r} is already running")
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._run, name=f"watchtower-heartbeat-{self.service}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, cancel: Optional[bool] = None) -> None:
        """Stop pulsing, waiting for a pulse in flight to finish, then cancel if asked.

        Args:
            cancel: whether to cancel the service; ``None`` (default) does as
                ``cancel_on_stop`` says. A failed cancel is logged, not raised. A service the
                server does not know (already cancelled) is no failure.

        Stopping a heartbeat that is not running does nothing but the cancel.
        """
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        if cancel is None:
            cancel = self.cancel_on_stop
        if cancel:
            try:
                self.client.cancel(self.service)
                logger.debug("cancelled %s", self.service)
            except NotFoundError:
                pass
            except WatchtowerError as e:
                self.last_error = e
                logger.warning("could not cancel %s: %s", self.service, e)

    def __enter__(self) -> "Heartbeat":
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop(cancel=False if exc_type is not None else None)

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stopping.is_set():
            self._beat()
            next_tick += self.interval
            now = time.monotonic()
            if next_tick < now:  # a slow pulse overran the interval: don't burst to catch up
                next_tick = now
            if self._stopping.wait(next_tick - now):
                return

    def _beat(self) -> None:
        try:
            service = self.client.pulse(
                self.service,
                self.next_in,
                self.alert_type,
                self.alert_target,
                remind_every=self.remind_every,
                depends_on=self.depends_on,
            )
        except WatchtowerError as e:
            self.last_error = e
            logger.warning("pulse of %s failed: %s", self.service, e)
        except Exception as e:  # never let a surprise end the heartbeat
            self.last_error = e
            logger.exception("pulse of %s failed unexpectedly", self.service)
        else:
            self.last_service = service
            self.last_error = None
            self.pulses += 1
