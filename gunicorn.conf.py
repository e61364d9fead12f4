"""Gunicorn settings used by `make run` (and the benchmarks).

preload_app loads and validates content once in the master before forking, so invalid content
stops the server before any worker starts and workers share the loaded store copy-on-write.
"""

import gc
import importlib.metadata
import multiprocessing
import os
import socket
import struct
import sys
from contextlib import contextmanager

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
# gevent by default: a worker serves each connection in a greenlet, so a client that sends its
# request slowly (or never finishes it) holds a greenlet, not the worker. Behind the buffering
# proxy in deploy/ (nginx), replicas run WORKER_CLASS=sync: nginx hands over only complete
# requests. The measurements behind the choice are in benchmarks/README.md (slow clients).
worker_class = os.environ.get("WORKER_CLASS", "gevent")
worker_connections = 1000  # per gevent worker: open connections, idle or slow ones included
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
# Bounded requests: a hostile URL or header cannot tie a worker up parsing it. The request line
# may be as long as gunicorn allows (8190 bytes, nginx's default buffer too), so URLs past the
# app's own limit (api/limits.py, 4096) reach the app and get its 414 problem+json.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# gunicorn's control socket has one default path per user: replicas on one host (deploy/) would
# take it from each other, and nothing here uses it.
control_socket_disable = True
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# gunicorn trusts no client's forwarded headers (SCRIPT_NAME, X-Forwarded-Proto…) by itself: the
# app's ProxyFix, sized by TRUSTED_PROXIES, is the one reader of them (api/delivery/urls.py).
forwarded_allow_ips = ""


# The collector stays off in the master (Python's recipe for forking servers, see gc.freeze):
# what it loads lives as long as the process, and a collection there or in a worker walks all
# of it: a few hundred milliseconds at MedQuAD's size, and in a worker it writes to (so copies)
# every page it shares with the master.
gc.disable()


def pre_fork(server, worker):
    gc.freeze()  # everything loaded so far: never collected, never walked


def post_fork(server, worker):
    gc.enable()  # what a worker allocates itself is collected as usual
    gevent_worker = sys.modules.get("gunicorn.workers.ggevent")
    if gevent_worker and isinstance(worker, gevent_worker.GeventWorker):
        patch_gevent()  # what the worker does next, without its repeated look-ups


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


def patch_gevent() -> None:
    """gevent's default patching (what gunicorn's gevent worker asks for), its plugin look-ups
    read once.

    `monkey.patch_all()` announces every module it patches to plugins, found with
    `importlib.metadata.entry_points(group=...)`; each of its 25 look-ups reads the metadata of
    every installed distribution, which was most of a new worker's time before it could serve
    (benchmarks/README.md, restart). Here they share one read of that metadata (the same entry
    points: nothing is installed while a worker starts), and the gevent worker's own
    `patch_all()` then finds everything patched and returns at once. Defined here, not in `api`:
    a worker of any app (benchmarks/bare_app.py) patches without importing this one."""
    from gevent import monkey

    with entry_points_read_once():
        monkey.patch_all()


def post_worker_init(worker):
    """Before a new worker accepts requests: open the search index, so no client waits for it
    (opened after the fork: a Whoosh reader must not share file offsets with another).

    If the version's directory was deleted or damaged since start-up, warm() rebuilds it in this
    worker (once, under the build lock), beating gunicorn's heartbeat between the build's steps:
    a worker that fails here would make the master exit ("Worker failed to boot").

    The inherited objects are not touched here: a worker copies a shared page when it first
    writes a reference count on it, so each page it reads costs one copy-on-write fault, once.
    Taking them all before serving (listing every inherited object) cost each new worker more
    CPU before its first answer than its first searches then saved, and made every page its own
    (benchmarks/README.md, restart)."""
    worker.wsgi.extensions["content"].search.warm(progress=lambda done: worker.notify())
    # What the worker allocated so far (its view of the index, kept for its lifetime) joins the
    # frozen inherited objects: the collector never walks them, so never writes to their pages.
    gc.freeze()


# A sync worker writes a response's head and its body in two writes. nginx forwards the head to
# the client as soon as it arrives, and after that it cannot retry the request elsewhere: a
# replica that died between the two writes (or during the body) left the client a cut-short
# response. So, while a sync worker answers, the kernel holds its output (TCP_CORK) and a death
# resets the connection, discarding what is held (SO_LINGER 0): nginx then has read nothing,
# sees an error before any header, and retries on another replica (proxy_next_upstream error).
# Both are undone once the whole response has been written, so a normal answer leaves at once,
# ends with a normal FIN, and keeps every byte. What the kernel holds is bounded by one TCP
# segment (about 64 KB on loopback, 1.4 KB across an Ethernet hop) and 200 ms: a bigger or slower
# response can still be cut by a crash (README, "Deployment").
_RESET_WHEN_KILLED = struct.pack("ii", 1, 0)  # struct linger {l_onoff = 1, l_linger = 0}
_CLOSE_NORMALLY = struct.pack("ii", 0, 0)


def _held_socket(worker, req):
    """The TCP socket of a sync worker's request (the worker class behind nginx), else None.
    `req.unreader.sock` is gunicorn's (pinned in requirements.lock); a test fails if it changes
    (tests/test_gunicorn_conf.py)."""
    sync = sys.modules.get("gunicorn.workers.sync")
    if not (sync and isinstance(worker, sync.SyncWorker)):
        return None
    sock = req.unreader.sock
    return sock if sock.family in (socket.AF_INET, socket.AF_INET6) else None  # TCP only


def pre_request(worker, req):
    sock = _held_socket(worker, req)
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_WHEN_KILLED)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)


def post_request(worker, req, environ, resp):
    sock = _held_socket(worker, req)
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _CLOSE_NORMALLY)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)  # sends what was held
        except OSError:
            pass  # the client is already gone: nothing is held for it
