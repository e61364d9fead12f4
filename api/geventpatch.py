"""gevent's monkey-patching of a new gunicorn worker, with its plugin look-ups read once.

`monkey.patch_all()` announces every module it patches to plugins, found with
`importlib.metadata.entry_points(group=...)`; each of its 25 look-ups reads the metadata of every
installed distribution, which was most of a new worker's time before it could serve
(benchmarks/README.md, restart). Called from post_fork (gunicorn.conf.py), the look-ups share
one read of that metadata: the same entry points, as nothing is installed while a worker starts.
The gevent worker's own `patch_all()` then finds everything patched and returns at once.
"""

import importlib.metadata
from contextlib import contextmanager


@contextmanager
def entry_points_read_once():
    """`importlib.metadata.entry_points` answered from one read of the installed metadata."""
    everything = importlib.metadata.entry_points()
    original = importlib.metadata.entry_points

    def entry_points(**params):
        return everything.select(**params) if params else everything

    importlib.metadata.entry_points = entry_points
    try:
        yield
    finally:
        importlib.metadata.entry_points = original


def patch_all() -> None:
    """gevent's default patching (what gunicorn's gevent worker asks for), done once."""
    from gevent import monkey

    with entry_points_read_once():
        monkey.patch_all()
