"""Load from wrk (https://github.com/wg/wrk, Debian package `wrk`): a C load generator that
costs the server's two cores far less than Python clients do. The requests are made in Python
beforehand (the same `make(worker, i)` as the Python load), written to a file, and replayed by a
small Lua script that cycles through them; latency percentiles come from wrk's own histogram."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Each line of the request file: METHOD<TAB>PATH<TAB>BODY (BODY empty for none).
SCRIPT = r"""
local requests = {}
local counter = 0

init = function(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/json"
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  file:close()
  counter = math.random(#requests)
end

request = function()
  counter = counter % #requests + 1
  return requests[counter]
end

done = function(summary, latency, _)
  local errors = summary.errors
  io.write("WRK-RESULT ", string.format(
    '{"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p95_ms": %.3f, "non2xx3xx": %d,'
    .. ' "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base: str,
    make: Callable[[int, int], tuple[str, str, Any]],
    *,
    seconds: float,
    connections: int,
    threads: int = 1,
    distinct: int = 20_000,
) -> dict[str, Any]:
    """`connections` keep-alive connections for `seconds`, replaying `distinct` requests."""
    with tempfile.TemporaryDirectory(prefix="wrk-") as folder:
        lines = []
        for i in range(distinct):
            method, path, body = make(i % 64, i)
            payload = "" if body is None else json.dumps(body, separators=(",", ":"))
            lines.append(f"{method}\t{path}\t{payload}")
        requests = Path(folder) / "requests.tsv"
        requests.write_text("\n".join(lines) + "\n")
        script = Path(folder) / "replay.lua"
        script.write_text(SCRIPT)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base,
            "--",
            str(requests),
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK-RESULT "))
    return json.loads(line.removeprefix("WRK-RESULT "))
