"""The rules part's background work, started once per deployment by the app (see web/app.py):
a thread that judges silence rules on a timer (`silence.check_silence`), stopped by an event."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from smartcity.platform import Platform
from smartcity.rules.silence import check_silence

log = logging.getLogger(__name__)
SILENCE_INTERVAL = 30.0  # seconds between passes; silence rules count in minutes


class SilenceWatch:
    """One thread for one platform; `start()` it with the app, `stop()` it after."""

    def __init__(self, platform: Platform, *, interval: float = SILENCE_INTERVAL) -> None:
        self.platform = platform
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SilenceWatch:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rules-silence", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        last_error = ""
        while True:  # a pass at start, then one each interval until stopped
            try:
                check_silence(self.platform)
                last_error = ""
            except Exception as exc:  # a broken database must not kill the thread; try again
                if str(exc) != last_error:
                    log.exception("silence pass failed")
                last_error = str(exc)
            if self._stopping.wait(self.interval):
                return


def start(platform: Platform) -> Callable[[], None] | None:
    """Start the background work; return the function that stops it."""
    return SilenceWatch(platform).start().stop
