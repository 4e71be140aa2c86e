"""Render the annual report PDF once in a fresh interpreter and report its time and memory.

Run by bench/run.py with the benchmark's environment and the path of the year's figures
(JSON, as the Celery task stores them on the report): the statistics are not computed here,
so nothing they allocate is counted.

Memory is the resident set size from /proc/self/status, which counts WeasyPrint's native
allocations as well as Python's (`tracemalloc` would see only Python's):

- baseline: VmRSS once Django is set up, the renderer imported and the figures loaded;
- peak: VmHWM (the high-water mark) after the render, the mark having been reset to the
  baseline just before it by writing "5" to /proc/self/clear_refs: what a Celery worker
  holds at the worst moment of rendering the report;
- delta: peak less baseline, the render's own cost.

`ru_maxrss` would not do: it survives exec, so a child started by the benchmark's process
reports that process's peak if it is higher (checked on Linux 6: a 300 MB parent's
exec'd child reported 310 MB, with a VmHWM of 13 MB). It is printed for reference.
Prints one JSON object.
"""

import json
import os
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linksworker.settings")


def _status_mb(field: str) -> float:
    """A Vm* field of /proc/self/status, in megabytes (the file gives kilobytes)."""
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"/proc/self/status has no {field}: this probe needs Linux.")
    return int(match.group(1)) / 1024


def _reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False  # the mark then runs from the interpreter's start: higher, never lower
    return True


def main() -> None:
    import django

    django.setup()
    from reports.rendering import render_report_pdf

    stats = json.loads(Path(sys.argv[1]).read_text())
    reset = _reset_high_water_mark()
    baseline = _status_mb("VmRSS")
    began = time.perf_counter()
    pdf = render_report_pdf(stats)
    render_seconds = time.perf_counter() - began
    peak = _status_mb("VmHWM")
    print(
        json.dumps(
            {
                "render_seconds": render_seconds,
                "baseline_mb": baseline,
                "peak_mb": peak,
                "delta_mb": peak - baseline,
                "high_water_mark_reset": reset,
                "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "pdf_bytes": len(pdf),
            }
        )
    )


if __name__ == "__main__":
    main()
