"""The cases part's background work, started once per deployment by the app (see web/app.py):
the deadline watch, every minute, in one thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

from smartcity.cases.deadline_job import run_deadline_step
from smartcity.platform import Platform

INTERVAL_SECONDS = 60.0
log = structlog.get_logger("smartcity.cases.jobs")


def start(platform: Platform, interval: float = INTERVAL_SECONDS) -> Callable[[], None] | None:
    """Start the deadline watch; return the function that stops it."""
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.wait(interval):  # the first pass after one interval, not at startup
            try:
                step = run_deadline_step(platform)
                if step.warned or step.escalated:
                    log.info("case_deadlines", warned=step.warned, escalated=step.escalated)
            except Exception:  # a failed pass is retried on the next tick
                log.exception("case_deadlines_failed")

    thread = threading.Thread(target=loop, name="case-deadlines", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=30)

    return stop
