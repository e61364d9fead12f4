"""Request ids and one JSON access-log line per request.

A client's X-Request-ID is echoed when it looks like an id (so a frontend can correlate its own
logs); anything else gets a fresh one. The log line carries the path without the query string,
so nothing a client puts in a URL (or a key someone pasted there) is written to the logs.
"""

import logging
import random
import re
import sys
import time

import orjson
from flask import Response, g, request

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger("api.access")


def _new_id() -> str:
    # A correlation id, not a secret: the Mersenne Twister (reseeded in every forked worker)
    # is unique enough and avoids a getrandom() system call per request.
    return f"{random.getrandbits(128):032x}"


def configure(enabled: bool) -> None:
    if enabled and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def start() -> None:
    g.started = time.perf_counter()
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _ID.match(supplied) else _new_id()


def finish(response: Response) -> None:
    request_id = getattr(g, "request_id", None) or _new_id()
    response.headers["X-Request-ID"] = request_id
    if log.isEnabledFor(logging.INFO):
        started = getattr(g, "started", time.perf_counter())
        line = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "request_id": request_id,
        }
        log.info(orjson.dumps(line).decode())
