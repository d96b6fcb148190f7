"""Cold import time and peak RSS of a fresh interpreter importing a radiant module.

Linux keeps ``ru_maxrss`` across ``exec``: a child started by a process that has grown to
60 MB reports at least 60 MB whatever it does. The probe therefore prefers the new address
space's own high-water mark (``VmHWM`` in ``/proc/self/status``, the same quantity, in KB)
and falls back to ``ru_maxrss`` where there is no ``/proc``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from benchmarks._report import Row, quick, user_environment

__all__ = ["import_rows"]

_PROBE = """\
import json, resource, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open("/proc/self/status") as status:
        hwm = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    rss_kb = int(hwm[0]) if hwm else rss_kb
except OSError:
    pass
print(json.dumps({{"seconds": elapsed, "rss_kb": rss_kb}}))
"""


def _probe(module: str) -> tuple[float, float]:
    """(import seconds, peak RSS in KB) of one fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=user_environment(),
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return float(data["seconds"]), float(data["rss_kb"])


def _measure(module: str, runs: int) -> tuple[float, float]:
    """Median import time (ms) and median peak RSS (MB) over ``runs`` fresh interpreters."""
    samples = [_probe(module) for _ in range(runs)]
    seconds = statistics.median(s for s, _ in samples)
    rss_kb = statistics.median(r for _, r in samples)
    return seconds * 1000.0, rss_kb / 1024.0


def import_rows(runs: int = 7) -> list[Row]:
    runs = quick(runs)
    rows: list[Row] = []
    for module, target in (("sys", None), ("radiant", 200.0), ("radiant.registry", None)):
        _probe(module)  # compiles what the timed runs then read, as a user's first run does
        ms, rss_mb = _measure(module, runs)
        if module == "sys":  # the baseline: an interpreter that imports nothing of ours
            rows.append(Row("peak RSS of a bare fresh interpreter", "-", rss_mb, "MB", digits=1))
            continue
        name = f"import {module} (fresh process, median of {runs})"
        rows.append(Row(name, "-", ms, "ms", target, digits=1))
        rss_name = f"peak RSS of a fresh process after import {module}"
        rows.append(Row(rss_name, "-", rss_mb, "MB", digits=1))
    return rows
