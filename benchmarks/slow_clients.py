"""Slow clients against normal ones, in one run, for each way of serving the API:

- gunicorn `sync` workers alone (what `make run` used before; the baseline that starves),
- gunicorn `gthread` workers alone (2 workers × 4 threads),
- gunicorn `gevent` workers alone (what `make run` uses now),
- nginx (deploy/nginx.conf) in front of gunicorn `sync` workers (the production set-up).

Each serves the bundled content with 2 worker processes. For each, normal clients (threads making
one request after another on new connections, over a realistic mix of details, lists and
searches) run first alone (the baseline), then while SLOW clients hold connections open by
sending a request's headers one line a second and never finishing (slow loris; a dropped one
reconnects). Reported: normal clients' p50/p99, failures (errors, timeouts, 5xx) and the p99
ratio against the same server's baseline.

    python benchmarks/slow_clients.py [--slow 30] [--normal 4] [--duration 20]
"""

import argparse
import http.client
import random
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import row, run_line, write_readme_section  # noqa: E402

START, END = "<!-- slow-clients-results:start -->", "<!-- slow-clients-results:end -->"
TIMEOUT = 5.0  # a normal client gives up after this long: a failure
# Normal clients send a partner key, so every request is served by the app (nginx's shared cache
# and the app's memo both pass keyed requests through): the servers compared do the
# same work, and what is measured is the workers' availability, not a cache's.
KEY = "ck_live-slow-clients-benchmark"
PARTNERS = (
    '[{"name": "benchmark", "key_sha256": "'
    + __import__("hashlib").sha256(KEY.encode()).hexdigest()
    + '", "rate_limit": "1000000000 per minute"}]'
)
HEADERS = {"X-API-Key": KEY}


class SlowClients:
    """`count` connections to host:port that send a request line and then one header line every
    `interval` seconds, never the blank line that ends the headers. Closed ones reconnect."""

    def __init__(self, host: str, port: int, count: int, interval: float = 1.0):
        self.address = (host, port)
        self.count = count
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.connects = 0

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(self.address, timeout=2)
            sock.sendall(b"GET /v1/site HTTP/1.1\r\nHost: slow.example\r\n")
            self.connects += 1
            return sock
        except OSError:
            return None

    def _run(self) -> None:
        sockets = [self._connect() for _ in range(self.count)]
        line = 0
        while not self.stop.wait(self.interval):
            line += 1
            for i, sock in enumerate(sockets):
                try:
                    if sock is None:
                        raise OSError
                    sock.sendall(f"X-Slow-{line}: {'a' * 20}\r\n".encode())
                except OSError:
                    if sock is not None:
                        sock.close()
                    sockets[i] = self._connect()
        for sock in sockets:
            if sock is not None:
                sock.close()

    def __enter__(self):
        self.thread.start()
        time.sleep(self.interval * 1.5)  # every connection open and holding before timing starts
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


def one_request(host: str, port: int, path: str, headers: dict) -> tuple[float, str | None]:
    """(seconds, failure or None) of one GET on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
        response = connection.getresponse()
        response.read()
        failure = f"HTTP {response.status}" if response.status >= 500 else None
    except (OSError, http.client.HTTPException) as exc:
        failure = type(exc).__name__
    finally:
        connection.close()
    return time.perf_counter() - started, failure


def normal_clients(
    host: str, port: int, paths: list[str], clients: int, duration: float, headers=None
) -> dict:
    """`clients` threads requesting random `paths` back to back for `duration` seconds."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(seed: int) -> None:
        pick = random.Random(seed)
        while time.monotonic() < deadline:
            seconds, failure = one_request(host, port, pick.choice(paths), headers or {})
            with lock:
                (failures.append(failure) if failure else latencies.append(seconds))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": sorted(latencies), "failures": failures}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def mix(url: str) -> list[str]:
    """Details, lists and searches of the served pack, the way a site and an app ask for them."""
    import json
    import urllib.request

    paths = ["/v1/site", "/v1/tags"]
    for kind in ("articles", "conditions", "treatments"):
        paths.append(f"/v1/{kind}")
        request = urllib.request.Request(f"{url}/v1/{kind}?per_page=100", headers=HEADERS)
        with urllib.request.urlopen(request) as response:
            for item in json.load(response)["items"]:
                paths.append(f"/v1/{kind}/{item['slug']}")
    words = ("ketamine", "depression", "infusion", "anxiety", "pain", "ptsd", "side effects")
    paths += [f"/v1/search?q={w.replace(' ', '+')}" for w in words]
    return paths


def measure(name: str, host: str, port: int, url: str, args) -> dict:
    paths = mix(url)
    normal_clients(host, port, paths, args.normal, 2.0, HEADERS)  # warm the workers' caches
    alone = normal_clients(host, port, paths, args.normal, args.duration, HEADERS)
    with SlowClients(host, port, args.slow) as slow:
        loaded = normal_clients(host, port, paths, args.normal, args.duration, HEADERS)
    result = {"server": name, "alone": alone, "loaded": loaded, "slow_connects": slow.connects}
    a99, l99 = percentile(alone["latencies"], 0.99), percentile(loaded["latencies"], 0.99)
    print(
        f"{name}: alone p99 {a99 * 1e3:.1f} ms ({len(alone['latencies'])} ok, "
        f"{len(alone['failures'])} failed); with {args.slow} slow: p99 {l99 * 1e3:.1f} ms "
        f"({len(loaded['latencies'])} ok, {len(loaded['failures'])} failed)",
        file=sys.stderr,
        flush=True,
    )
    return result


def run(args) -> list[dict]:
    from deploy import local

    results = []
    for worker_class, threads in (("sync", 1), ("gthread", 4), ("gevent", 1)):
        stack = local.Stack(Path(tempfile.mkdtemp(prefix="slow-clients-")))
        env = {  # the replica alone, as `make run` serves it (no proxy in front)
            "WORKER_CLASS": worker_class,
            "GUNICORN_CMD_ARGS": f"--threads {threads}",
            "TRUSTED_PROXIES": "0",
            "INDEX_DIR": str(stack.directory / "index"),
            "PARTNER_KEYS": PARTNERS,
            "ACCESS_LOG": "false",
        }
        try:
            replica = stack.start_replica(env, workers=2)
            name = f"gunicorn {worker_class}" + (f" ×{threads} threads" if threads > 1 else "")
            results.append(measure(name, "127.0.0.1", replica.port, replica.url, args))
        finally:
            stack.stop()
            shutil.rmtree(stack.directory, ignore_errors=True)
    stack = local.Stack(Path(tempfile.mkdtemp(prefix="slow-clients-")))
    env = {
        "INDEX_DIR": str(stack.directory / "index"),
        "PARTNER_KEYS": PARTNERS,
        "ACCESS_LOG": "false",
    }
    try:
        stack.start_replica(env, workers=2)
        stack.start_nginx()
        name = "nginx → gunicorn sync"
        results.append(measure(name, "127.0.0.1", stack.nginx_port, stack.url, args))
    finally:
        stack.stop()
        shutil.rmtree(stack.directory, ignore_errors=True)
    return results


def report(results: list[dict], args) -> str:
    lines = [
        f"{run_line()} Bundled content, 2 worker processes per server; "
        f"{args.normal} normal clients for {args.duration:.0f} s alone, then {args.duration:.0f} s "
        f"beside {args.slow} slow clients (one header line a second, never finished); a normal "
        f"request fails on an error, a 5xx or no answer within {TIMEOUT:.0f} s.",
        "",
        "Beside slow clients, percentiles are given only when no normal request failed: over the",
        "few that got through a starved server, they would describe luck, not the server.",
        "",
        row("server", "alone p50", "alone p99", "slow p50", "slow p99", "p99 ×", "ok", "failed"),
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        alone, loaded = r["alone"]["latencies"], r["loaded"]["latencies"]
        a99, l99 = percentile(alone, 0.99), percentile(loaded, 0.99)
        served = loaded and not r["loaded"]["failures"]
        lines.append(
            row(
                r["server"],
                f"{percentile(alone, 0.5) * 1e3:.1f} ms",
                f"{a99 * 1e3:.1f} ms",
                f"{percentile(loaded, 0.5) * 1e3:.1f} ms" if served else "starved",
                f"{l99 * 1e3:.1f} ms" if served else "starved",
                f"{l99 / a99:.2f}" if served else "—",
                len(loaded),
                len(r["loaded"]["failures"]),
            )
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--normal", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    text = report(run(args), args)
    print(text)
    if not args.no_readme:
        write_readme_section(START, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
