"""Request ids and one JSON access-log line per request.

A client's X-Request-ID is echoed when it looks like an id (so a frontend can correlate its own
logs); anything else gets a fresh one. The log line carries the path without the query string,
so nothing a client puts in a URL (or a key someone pasted there) is written to the logs.
"""

import os
import random
import re
import time

import orjson
from flask import Response

from .response import add_checked

_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # fullmatch: `$` would let a final newline in
STDERR = 2


def _new_id() -> str:
    # A correlation id, not a secret: the Mersenne Twister (reseeded in every forked worker)
    # is unique enough and avoids a getrandom() system call per request.
    return f"{random.getrandbits(128):032x}"


def configure(app) -> None:
    app.extensions["access_log"] = bool(app.config["ACCESS_LOG"])


def request_id(supplied: str) -> str:
    return supplied if _ID.fullmatch(supplied) else _new_id()


def start(here, environ: dict) -> None:
    """First step of the before hook. `here` is the hook's `g` object: the hooks look each
    context-local proxy up once (Flask's documented `_get_current_object()`), since every
    attribute read through a proxy costs a context lookup of its own."""
    supplied = environ.get("HTTP_X_REQUEST_ID")
    rid = _new_id() if supplied is None else request_id(supplied)
    vars(here).update(started=time.perf_counter(), request_id=rid)  # see delivery/__init__


# The methods a request line can name, already as JSON strings; any other is JSON-encoded.
_METHODS = {m: f'"{m}"' for m in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")}
_MEMO = {None: "", "hit": ',"memo":"hit"', "miss": ',"memo":"miss"'}


def write(method: str, path: str, status: int, started: float, request_id: str, memo=None) -> None:
    """One JSON object per line: method, path, status, duration_ms, request_id and, for content
    responses, memo. Formatted directly (the request id is ours or matched _ID, a safe charset;
    the path, which a client chooses, is JSON-encoded by orjson): a dict handed to orjson cost
    more than the rest of the line."""
    name = _METHODS.get(method) or orjson.dumps(method).decode()
    duration = (time.perf_counter() - started) * 1000
    line = (
        f'{{"method":{name},"path":{orjson.dumps(path).decode()},"status":{status},'
        f'"duration_ms":{duration:.3f},"request_id":"{request_id}"{_MEMO[memo]}}}\n'
    )
    # One write(2) of one line: atomic between workers sharing stderr, and a fraction of
    # the cost of the logging module on every request.
    os.write(STDERR, line.encode())


def finish(response: Response, enabled: bool, here, req) -> None:
    """The request id header and, when `enabled` (ACCESS_LOG), the log line; `here` and `req`
    are the hook's `g` and `request` objects."""
    rid = getattr(here, "request_id", None) or _new_id()
    # appended, not set: no earlier hook writes it, set() scans every header first, and the id
    # is either ours or matched _ID in full (response.add_checked)
    add_checked(response.headers, (("X-Request-ID", rid),))
    if enabled:
        started = getattr(here, "started", None) or time.perf_counter()
        write(req.method, req.path, response.status_code, started, rid, _memo(here))


def _memo(here) -> str | None:
    """ "hit" when the memo answered, "miss" when a view made a content response, else None."""
    state = vars(here)
    if state.get("memo_hit"):
        return "hit"
    return "miss" if state.get("content_response") else None
