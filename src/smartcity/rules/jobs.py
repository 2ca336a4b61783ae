"""The rules part's background work, started once per deployment by the app (see web/app.py):
threads on timers, each stopped by an event: one judges silence rules
(`silence.check_silence`), one opens the cases of alerts raised since its last pass
(`cases.open_pending_cases`). Both keep their state in the database, so they survive restarts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from smartcity.platform import Platform
from smartcity.rules.cases import open_pending_cases
from smartcity.rules.silence import check_silence

log = logging.getLogger(__name__)
SILENCE_INTERVAL = 30.0  # seconds between passes; silence rules count in minutes
CASE_INTERVAL = 5.0  # seconds between passes opening alerts' cases


class _Timer:
    """One thread for one platform doing `work()` at start and then every interval;
    `start()` it with the app, `stop()` it after."""

    name = "rules-timer"

    def __init__(self, platform: Platform, *, interval: float) -> None:
        self.platform = platform
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def work(self) -> None:
        raise NotImplementedError

    def start(self) -> _Timer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
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
                self.work()
                last_error = ""
            except Exception as exc:  # a broken database must not kill the thread; try again
                if str(exc) != last_error:
                    log.exception("%s pass failed", self.name)
                last_error = str(exc)
            if self._stopping.wait(self.interval):
                return


class SilenceWatch(_Timer):
    """Judges silence rules on a timer."""

    name = "rules-silence"

    def __init__(self, platform: Platform, *, interval: float = SILENCE_INTERVAL) -> None:
        super().__init__(platform, interval=interval)

    def work(self) -> None:
        check_silence(self.platform)


class AlertCaseOpener(_Timer):
    """Opens the cases of pending alerts (the outbox of rules/cases.py) on a timer."""

    name = "rules-cases"

    def __init__(self, platform: Platform, *, interval: float = CASE_INTERVAL) -> None:
        super().__init__(platform, interval=interval)

    def work(self) -> None:
        open_pending_cases(self.platform)


def start(platform: Platform) -> Callable[[], None] | None:
    """Start the background work; return the function that stops it."""
    timers = [SilenceWatch(platform).start(), AlertCaseOpener(platform).start()]

    def stop() -> None:
        for timer in timers:
            timer.stop()

    return stop
