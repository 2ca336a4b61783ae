"""The terminal display of a running simulation (rich): what it sends, and what the city does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.live import Live
from rich.table import Table

from smartcity.simulate.publisher import FleetPublisher

SHANGHAI = timedelta(hours=8)


def render(publisher: FleetPublisher) -> Table:
    stats = publisher.snapshot()
    local = datetime.fromtimestamp(stats.sim_time, UTC) + SHANGHAI
    table = Table(title="smartcity simulate — 模拟上海 / simulated Shanghai", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("simulated time 模拟时间", f"{local:%Y-%m-%d %H:%M} (UTC+8)")
    table.add_row("devices 设备", f"{stats.devices:,}")
    table.add_row("messages 消息", f"{stats.sent:,} sent, {stats.acknowledged:,} acknowledged")
    table.add_row("rate 速率", f"{stats.rate():,.0f} messages/s")
    table.add_row("readings 读数", f"{stats.readings:,} in {stats.measurements:,} measurements")
    faults = ", ".join(f"{n:,} {name}" for name, n in stats.faults.items())
    table.add_row("faults 故障", f"{faults}; {stats.silent_skips:,} reports not sent")
    table.add_row("episodes 事件", "\n".join(stats.episodes) or "none")
    return table


@contextmanager
def live_display(publisher: FleetPublisher, console: Console) -> Iterator[None]:
    """Refresh the display twice a second while the block runs (nothing off a terminal)."""
    if not console.is_terminal:
        yield
        return
    done = threading.Event()
    with Live(render(publisher), console=console, refresh_per_second=2) as live:

        def refresh() -> None:
            while not done.wait(0.5):
                live.update(render(publisher))

        thread = threading.Thread(target=refresh, name="simulate-display", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            live.update(render(publisher))
