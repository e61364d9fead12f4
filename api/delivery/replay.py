"""Replaying finished public responses without running Flask again.

Content never changes while a process runs, so a public 200 made from content is the same bytes
for every client asking the same URL (host included) with the same Accept-Encoding and Origin.
Running Flask, flask-smorest, webargs and Flask-Limiter's request hooks again for it costs
several times what serving it does; this WSGI layer, in front of Flask, answers repeats from
the response the full path produced (the framework's own cost is what the throughput benchmark
compares against).

What is per request is still done here, the same way the full path does it: the request id, the
access-log line, the rate limit (counted in Flask-Limiter's own storage, see
partners.ratelimit.AnonymousCounter), If-None-Match → 304, HEAD without a body, and a version's
sunset. Everything else goes to Flask: other methods, keyed (partner) requests, If-Modified-Since
without If-None-Match, a client over its limit, and anything not yet seen. Only responses the
view marked as made from content (caching.content_response) and public ones are kept: never
previews, keyed answers, errors, or the probes. The cache is per worker and bounded in bytes.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, g, request

from . import access_log
from .caching import accepts_gzip, etag_matches, kept_on_304

_PER_REQUEST = ("x-request-id", "ratelimit")  # written afresh on every answer


@dataclass(frozen=True, slots=True)
class Entry:
    headers: list  # the 200's headers, without the per-request ones
    not_modified: list  # what a 304 repeats of them
    body: bytes
    etag: str  # unquoted
    log_path: str  # the decoded path, as the access log writes it
    sunset: float  # the version's sunset (epoch seconds); replayed only before it


class ReplayCache:
    """Least-recently-used, bounded by the bytes of the bodies it holds."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()

    def get(self, key: tuple) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 8:  # one huge body must not flush the rest
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= len(old.body)
        self.entries[key] = entry
        self.bytes += len(entry.body)
        while self.bytes > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= len(evicted.body)


def _key(environ: dict, any_origin: bool) -> tuple:
    """Everything a content response depends on besides the content itself."""
    origin = environ.get("HTTP_ORIGIN")
    if origin and any_origin:
        origin = "*"  # with CORS "*", every origin gets the same answer
    return (
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")),
        origin,
        environ.get("HTTP_HOST"),  # feeds and oEmbed write absolute URLs from the request's host
        environ.get("wsgi.url_scheme"),
    )


class Replay:
    """The WSGI layer (wraps app.wsgi_app)."""

    def __init__(self, app: Flask, max_bytes: int):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.cache = ReplayCache(max_bytes)
        self.any_origin = "*" in app.config["CORS_ORIGINS"]
        self.log = bool(app.config["ACCESS_LOG"])
        self.sunsets = {
            f"/{version}": sunset.timestamp() if sunset else float("inf")
            for version, (_, sunset, _) in app.extensions["version_policies"].items()
        }

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        if (
            method not in ("GET", "HEAD")
            or "HTTP_X_API_KEY" in environ
            or "HTTP_AUTHORIZATION" in environ
        ):
            return self.wsgi_app(environ, start_response)
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm is None and "HTTP_IF_MODIFIED_SINCE" in environ:
            return self.wsgi_app(environ, start_response)
        entry = self.cache.get(_key(environ, self.any_origin))
        if entry is None or time.time() >= entry.sunset:
            return self.wsgi_app(environ, start_response)
        fresh = inm is not None and etag_matches(inm, entry.etag)
        counter = self.app.extensions["anonymous_counter"]
        try:
            limits = counter.count(environ.get("REMOTE_ADDR"), counted=not fresh)
        except Exception:  # noqa: BLE001 - e.g. a shared limit store that is down
            limits = None  # the full path meets the same failure and answers it as problem+json
        if limits is None:  # over the limit: the full path answers the 429
            return self.wsgi_app(environ, start_response)
        request_id = access_log.request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        tail = [*limits, ("X-Request-ID", request_id)]
        if fresh:
            status, headers, body = "304 NOT MODIFIED", entry.not_modified + tail, b""
        else:
            status, headers = "200 OK", entry.headers + tail
            body = b"" if method == "HEAD" else entry.body
        start_response(status, headers)
        if self.log:
            access_log.write(method, entry.log_path, 304 if fresh else 200, started, request_id)
        return [body]

    def remember(self, response: Response) -> None:
        """After the full path: keep its public 200 made from content (see the module doc)."""
        full = g.get("representation")
        if (
            full is None
            or full.status_code != 200
            or not g.get("content_response")
            or g.get("private")
            or g.get("partner") is not None
            or request.method not in ("GET", "HEAD")
            or "Authorization" in request.headers  # the replay path never answers these
        ):
            return
        headers = [
            (name, value)
            for name, value in full.headers.items()
            if not name.lower().startswith(_PER_REQUEST)
        ]
        if "X-Content-Type-Options" not in full.headers:  # set on the answer after caching ran
            headers.append(("X-Content-Type-Options", response.headers["X-Content-Type-Options"]))
        prefix = "/" + request.path.split("/", 2)[1]
        entry = Entry(
            headers=headers,
            not_modified=[(n, v) for n, v in headers if kept_on_304(n)],
            body=full.get_data(),
            etag=full.headers["ETag"].strip('"'),
            log_path=request.path,
            sunset=self.sunsets.get(prefix, float("inf")),
        )
        self.cache.put(_key(request.environ, self.any_origin), entry)


def init_app(app: Flask) -> None:
    megabytes = app.config["RESPONSE_CACHE_MB"]
    if megabytes <= 0:
        return
    replay = Replay(app, int(megabytes * 1024 * 1024))
    app.wsgi_app = replay
    app.extensions["replay"] = replay
