"""Render the annual report PDF once in a fresh process and report time and peak memory.

Run by bench/run.py with the benchmark's environment and the path of the year's figures
(JSON, as the Celery task stores them on the report). Peak memory is the process's peak
resident set size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`): what a Celery worker
rendering the report needs, Python and WeasyPrint's native libraries alike, which
`tracemalloc` (Python allocations only) would undercount. Prints one JSON object.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linksworker.settings")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    import django

    django.setup()
    from reports.rendering import render_report_pdf

    stats = json.loads(Path(sys.argv[1]).read_text())
    before = _peak_mb()
    began = time.perf_counter()
    pdf = render_report_pdf(stats)
    render_seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "render_seconds": render_seconds,
                "peak_rss_mb_before_render": before,
                "peak_rss_mb": _peak_mb(),
                "pdf_bytes": len(pdf),
            }
        )
    )


if __name__ == "__main__":
    main()
