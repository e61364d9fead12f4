"""gunicorn.conf.py without its hold of a sync worker's output (its pre_request and post_request
hooks): the baseline of benchmarks/crashes.py, everything else the same."""

import runpy
from pathlib import Path

_CONF = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update(
    {
        name: value
        for name, value in _CONF.items()
        if not name.startswith("__") and name not in ("pre_request", "post_request")
    }
)
