"""Several server processes on one port (`smartcity serve --workers N`).

uvicorn's supervisor binds the socket, starts N processes and restarts any that die; each builds
its own platform from the settings the parent resolved (passed down in the environment, so a
TOML file or command-line override is seen the same way by every process). Work that must run
once per deployment — notification delivery — goes to whichever process holds a file lock in the
data directory; when that process dies the lock passes to another.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI

from smartcity.core.settings import Settings

SETTINGS_ENV = "SMARTCITY__SERVE_SETTINGS"
LEADER_LOCK = "notifications.lock"


def settings_payload(settings: Settings) -> str:
    """The settings as JSON, secrets included (they stay in this process tree's environment)."""
    data = settings.model_dump(mode="json")
    if settings.secret_key is not None:
        data["secret_key"] = settings.secret_key.get_secret_value()
    return orjson.dumps(data).decode()


def run_workers(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve with `workers` processes; returns when the supervisor stops (Ctrl-C or SIGTERM)."""
    settings.signing_key()  # a generated key is written once, before the processes race for it
    os.environ[SETTINGS_ENV] = settings_payload(settings)
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        proxy_headers=False,
    )


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn calls this factory in each child)."""
    from smartcity.platform import Platform
    from smartcity.web.app import create_app
    from smartcity.web.observe import configure_logging

    settings = Settings.model_validate(orjson.loads(os.environ[SETTINGS_ENV]))
    configure_logging(settings.log_level, settings.log_json)
    platform = Platform.from_settings(settings)
    app = create_app(platform)
    app.state.notification_leader_lock = settings.data_dir / LEADER_LOCK
    return app


def when_leader(lock_path: Path, start: Callable[[], Any]) -> threading.Thread:
    """Call `start` once this process holds the exclusive lock on `lock_path` (waits for it in a
    daemon thread; the lock is released by the kernel when the process ends)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)

    def wait_then_start() -> None:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held until the process exits
        start()

    thread = threading.Thread(target=wait_then_start, name="leader-election", daemon=True)
    thread.start()
    return thread
