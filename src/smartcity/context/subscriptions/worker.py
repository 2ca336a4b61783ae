"""The background thread that delivers notifications: `deliver_due` in a loop, woken as soon as a
write records notifications, else every second (for retries and periodic notifications)."""

from __future__ import annotations

import logging
import threading

from smartcity.context.subscriptions.delivery import deliver_due
from smartcity.context.subscriptions.outbox import add_waker, remove_waker
from smartcity.platform import Platform

log = logging.getLogger(__name__)


class NotificationWorker:
    """One delivery thread for one platform; `start()` it with the app, `stop()` it after."""

    def __init__(self, platform: Platform, *, interval: float = 1.0, batch: int = 50) -> None:
        self.platform = platform
        self.interval = interval
        self.batch = batch
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> NotificationWorker:
        if self._thread is None:
            add_waker(self._wake)
            self._thread = threading.Thread(
                target=self._run, name="ngsi-ld-notifications", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        remove_waker(self._wake)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        last_error = ""
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                busy = deliver_due(self.platform, limit=self.batch) >= self.batch
                last_error = ""
            except Exception as exc:  # a broken database must not kill the thread; try again
                busy = False
                if str(exc) != last_error:  # once per distinct failure, not every second
                    log.exception("notification delivery pass failed")
                last_error = str(exc)
            if not busy:
                self._wake.wait(self.interval)
