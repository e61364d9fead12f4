"""Throughput of the real app under gunicorn against the framework's ceiling (a bare Flask app
serving the same bodies, benchmarks/bare_app.py), with wrk, in one run on the bundled content.

    python benchmarks/throughput.py [--duration S] [--warmup S] [--threads N] [--connections N]

Prints a Markdown report, writes OUT/results.json and the marked section of benchmarks/README.md.
"""

import argparse
import contextlib
import http.client
import io
import json
import math
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import ROOT, Server, row, write_readme_section  # noqa: E402

START, END = "<!-- throughput-results:start -->", "<!-- throughput-results:end -->"
DETAIL = "/v1/articles/how-ketamine-infusion-therapy-works"
SEARCH = "/v1/search?q=ketamine+infusion"
LISTS = ("conditions", "treatments", "articles")  # conditions first; else the largest list
TARGETS = {"detail": 0.75, "list": 0.6, "304": 0.9}  # app req/s ÷ bare req/s; search: none
IDENTITY = {"Accept-Encoding": "identity"}  # wrk sends no Accept-Encoding: never gzip
MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
# The one setting changed: one client IP at the default 1200/min would measure 429s. The limiter
# still runs (and counts) on every request.
APP_ENV = {"RATELIMIT_DEFAULT": "1000000000 per minute"}
COLUMNS = ("scenario", "request", "bytes", "app req/s", "bare req/s", "app/bare", "target", "")
COLUMNS += ("app p50", "app p99", "bare p50", "bare p99", "memo off req/s", "memo off/bare")
BEFORE_COLUMNS = ("before req/s", "before/bare")


def ensure_debian(command: str, package: str | None = None) -> str | None:
    """`command`'s path; installs its Debian package once (after apt-get update if that is
    needed)."""

    def apt(*argv: str) -> bool:
        try:
            return not subprocess.run(
                ["apt-get", *argv], capture_output=True, timeout=600
            ).returncode
        except (OSError, subprocess.SubprocessError):
            return False

    package = package or command
    if not shutil.which(command) and not apt("install", "-y", package) and apt("update"):
        apt("install", "-y", package)
    return shutil.which(command)


def ensure_wrk() -> str | None:
    return ensure_debian("wrk")


def scenarios(url: str) -> tuple[list[dict], str]:
    """The four scenarios with the real app's bodies, sizes and ETags; and a note on the list."""

    def get(path: str):
        return requests.get(url + path, headers=IDENTITY, timeout=10)

    totals = {n: get(f"/v1/{n}").json()["meta"]["total"] for n in LISTS}
    chosen = "conditions" if totals["conditions"] >= 20 else max(totals, key=totals.get)
    out = []
    paths = {"detail": DETAIL, "list": f"/v1/{chosen}?per_page=20", "search": SEARCH}
    for name, path in paths.items():
        response = get(path)
        response.raise_for_status()
        out.append({"name": name, "path": path, "headers": {}, "status": 200})
        out[-1] |= {"size": len(response.content), "body": response.content.decode()}
        out[-1]["etag"] = response.headers["ETag"]
    etag = out[0]["etag"]
    revalidate = {"name": "304", "path": DETAIL, "headers": {"If-None-Match": etag}}
    out.insert(1, revalidate | {"status": 304, "size": 0, "etag": etag})
    note = ", ".join(f"{n} {t}" for n, t in totals.items())
    return out, f"public entries: {note}; the list uses `/v1/{chosen}` ({totals[chosen]} items)"


def own_etag(url: str, s: dict) -> dict:
    """The scenario for another build of the app: its 304 revalidates that build's own ETag."""
    if s["status"] != 304:
        return s
    etag = requests.get(url + s["path"], headers=IDENTITY, timeout=10).headers["ETag"]
    return s | {"headers": {"If-None-Match": etag}, "etag": etag}


def check(url: str, s: dict, sizes: bool = True) -> None:
    """Refuse to measure a server that answers the wrong status or body size (another build of
    the app, `sizes=False`, may differ in size: only the status and type are checked)."""
    response = requests.get(url + s["path"], headers=IDENTITY | s["headers"], timeout=10)
    header = "ETag" if s["status"] == 304 else "Content-Type"
    got = (response.status_code, len(response.content), response.headers.get(header))
    want = (s["status"], s["size"], s["etag"] if header == "ETag" else "application/json")
    if not sizes:
        got, want = (got[0], got[2]), (want[0], want[2])
    if got != want:
        raise RuntimeError(f"{url}{s['path']}: got (status, size, {header}) {got}, want {want}")


def combine(slices: list[dict]) -> dict:
    """One figure from a scenario's slices: mean req/s, median p50, worst p99, totals."""
    p50s = sorted(x["p50"] for x in slices)
    return {
        "rps": sum(x["rps"] for x in slices) / len(slices),
        "p50": p50s[len(p50s) // 2],
        "p99": max(x["p99"] for x in slices),
        "requests": sum(x["requests"] for x in slices),
        "bad_status": sum(x["bad_status"] for x in slices),
        "socket_errors": sum(x.get("socket_errors", 0) for x in slices),
        "slices_rps": [round(x["rps"]) for x in slices],
    }


def wrk(url: str, headers: dict, seconds: float, args) -> dict:
    """One wrk run: requests/s, p50 and p99 (ms), and how many answers or sockets failed."""
    argv = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{round(seconds)}s",
        "--latency",
    ]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run(argv + [url], capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    out = done.stdout

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(number) * MS[unit]

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "bad_status": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def _client(url: str, headers: dict, seconds: float, status: int) -> tuple[list[float], int]:
    """One fallback client: a new connection per request, until `seconds` have passed."""
    parts, latencies, failures = urlsplit(url), [], 0
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("GET", target, headers=headers | {"Connection": "close"})
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            failures += response.status != status
        except OSError:
            failures += 1
        finally:
            conn.close()
    return latencies, failures


def pyload(url: str, headers: dict, seconds: float, args, status: int) -> dict:
    """Fallback when wrk is missing: one process per connection, no keep-alive."""
    with multiprocessing.Pool(args.connections) as pool:
        parts = pool.starmap(_client, [(url, headers, seconds, status)] * args.connections)
    latencies = sorted(t for p in parts for t in p[0]) or [math.nan]
    at = [latencies[max(0, math.ceil(q * len(latencies)) - 1)] for q in (0.5, 0.99)]
    result = {"rps": len(latencies) / seconds, "p50": at[0], "p99": at[1]}
    return result | {"requests": len(latencies), "bad_status": sum(p[1] for p in parts)}


def machine(wrk_path: str | None) -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    wrk_version = "none (Python fallback generator)"
    if wrk_path:
        shown = subprocess.run([wrk_path, "-v"], capture_output=True, text=True).stdout
        wrk_version = shown.split(" Copyright")[0].strip()
    return {
        "cpu": model.group(1) if model else platform.processor(),
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        **{name: version(name) for name in ("gunicorn", "flask", "flask-smorest", "werkzeug")},
        "wrk": wrk_version,
        "load": os.getloadavg(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def table(scenario_runs: list[dict], args, flawed: list[str], tag: str) -> str:
    """The Markdown table of one worker class's run; adds its failed answers to `flawed`."""
    columns = COLUMNS + (BEFORE_COLUMNS if args.baseline else ())
    rows = [row(*columns), "|" + "---|" * len(columns)]
    for s in scenario_runs:
        a, b = s["app"], s["bare"]
        ratio = s["ratio"] = a["rps"] / b["rps"]
        target = TARGETS.get(s["name"])
        verdict = "report only" if target is None else "**PASS**" if ratio >= target else "**MISS**"
        extra = " + `If-None-Match`" if s["headers"] else ""
        cells = [s["name"], f"`{s['path']}`{extra}", s["size"], f"{a['rps']:.0f}"]
        cells += [f"{b['rps']:.0f}", f"{ratio:.2f}", f"≥ {target:g}" if target else "–", verdict]
        cells += [f"{x[p]:.2f}" for x in (a, b) for p in ("p50", "p99")]
        full = s["full"]
        s["full_ratio"] = full["rps"] / b["rps"]
        cells += [f"{full['rps']:.0f}", f"{s['full_ratio']:.2f}"]
        runs = [("app", a), ("bare", b), ("memo off", full)]
        if args.baseline:
            for who in ("before",):
                cells += [f"{s[who]['rps']:.0f}", f"{s[who]['rps'] / b['rps']:.2f}"]
                runs.append((who, s[who]))
        rows.append(row(*cells))
        for who, x in runs:
            if x["bad_status"] or x.get("socket_errors"):
                flawed.append(
                    f"{tag} {s['name']}/{who}: {x['bad_status']} bad statuses, "
                    f"{x.get('socket_errors', 0)} socket errors"
                )
    return "\n".join(rows)


WORKER_NOTES = {
    "sync": "production's workers behind nginx (deploy/); a sync worker closes the connection "
    "after each response, so every request includes a TCP connect, for both servers",
    "gevent": "`make run`'s default; keep-alive (gunicorn's `keepalive = 5`): wrk reuses its "
    "connections, for both servers",
}


def report(r: dict, args) -> str:
    m = r["machine"]
    load = " → ".join("/".join(f"{x:.2f}" for x in a) for a in (m["load"], r["load_after"]))
    slice_s = round(args.duration / args.rounds)
    tool = f"`wrk -t{args.threads} -c{args.connections} -d{slice_s}s --latency`"
    if not r["wrk"]:
        tool = f"a Python generator ({args.connections} processes, a new connection per request)"
    flawed: list[str] = []
    tables = "\n\n".join(
        f"`WORKER_CLASS={wc}` ({WORKER_NOTES.get(wc, wc)}):\n\n" + table(runs, args, flawed, wc)
        for wc, runs in r["runs"].items()
    )
    flawed = "; ".join(flawed) or "none"
    fallback = "" if r["wrk"] else "\n- **wrk could not be installed**: the Python fallback ran."
    if args.baseline:
        fallback += f"""
- *Before* is commit `{r["baseline"]}` (`--baseline`: an exported older tree) served the same
  way in the same run, taking its turns with the others, on its own defaults."""
    return f"""## Throughput: `.venv/bin/python benchmarks/throughput.py [--duration S] …`

Requests per second of the app under gunicorn, served as the README serves it, against the
framework's ceiling: a bare Flask app (`benchmarks/bare_app.py`) answering with the app's exact
bodies (`Content-Type: application/json`, no other headers) and an empty 304 with the ETag, under
the same gunicorn settings. Raw numbers: `benchmarks/out/throughput/results.json`.

Run {m["date"]} on {m["cpu"]}, {m["cores"]} cores (load average 1/5/15 min before → after:
{load}); Python {m["python"]}, gunicorn {m["gunicorn"]}, Flask {m["flask"]}, flask-smorest
{m["flask-smorest"]}, Werkzeug {m["werkzeug"]}; wrk: {m["wrk"]}.

Load: {tool} after a {args.warmup} s warm-up, on 127.0.0.1; for each scenario the servers take
turns, {args.rounds} slices each ({args.duration} s per server in all), so the machine's other
load falls on all of them alike; never two loaded at once, all stay up. req/s is the mean of
the slices, p50 their median, p99 their worst. All run under
`gunicorn -c gunicorn.conf.py` with `WEB_CONCURRENCY=2`, app and bare with the same worker
class, each class in its own run (one table each); the load generator shares the cores. The
targets are set for `sync` workers (production); `gevent` is what `make run` serves.

{tables}

Latencies in ms. Before each run the answer was checked (status 200/304/200/200, body size).
Every request of the app's columns runs the one Flask path (request id, key check, rate limit,
CORS, versioning, conditional request, access log); the app's memo skips only the view for a URL
it has answered before. *Memo off* is the same app with `RESPONSE_MEMO_MB=0` (every request runs
its view: what the first request for each URL costs each worker); the targets are judged on the
app as served.

- Content: the bundled pack (not MedQuAD); {r["list_note"]}.
- The app runs with its defaults: the access log is on (one JSON line per request to stderr,
  redirected to a file), CORS `*`, no gzip (wrk sends no `Accept-Encoding`); except that
  `RATELIMIT_DEFAULT` is raised to 10⁹ per minute, else one client IP is answered 429 (the
  limiter still runs on every request). Search pages are cached per worker: `search` measures a
  repeated query.
- Errors during the runs: {flawed}.{fallback}
"""


MIXED_START, MIXED_END = "<!-- mixed-results:start -->", "<!-- mixed-results:end -->"
CPU_START, CPU_END = "<!-- request-cpu:start -->", "<!-- request-cpu:end -->"
CPU_VARIANTS = {  # setting overrides of the app: what each part of the path costs
    "app as served": {},
    "access log off": {"ACCESS_LOG": False},
    "rate limits off": {"RATELIMIT_ENABLED": False},
    "memo off": {"RESPONSE_MEMO_MB": 0},
}
CPU_SCENARIOS = ("detail", "304", "list")


@contextlib.contextmanager
def stderr_to_devnull():
    """The access log's lines (one write(2) each to stderr, as served) go to /dev/null while
    the app is timed, instead of to the terminal."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def wsgi_environ(path: str, headers: dict) -> dict:
    """The environ gunicorn hands the app for a GET of `path` from a local client."""
    target, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": target,
        "QUERY_STRING": query,
        "RAW_URI": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "gunicorn",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    environ.update((f"HTTP_{k.upper().replace('-', '_')}", v) for k, v in headers.items())
    return environ


def wsgi_get(app, path: str, headers: dict) -> int:
    """One request through the WSGI callable, as gunicorn makes it: the status code."""
    seen = []
    body = app(wsgi_environ(path, headers), lambda status, _headers, _exc=None: seen.append(status))
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(seen[0][:3])


def request_cpu(out: Path, rounds: int = 9, requests_per_round: int = 300) -> dict:
    """CPU time (process_time, so other load on the machine counts less) per request of the
    detail, 304 and list scenarios, in-process through the WSGI callable as gunicorn calls it,
    for the app with a few settings changed and the bare app: the cost of each part of the one
    path. The server's own cost (parsing, its checks of each header, the socket) is in none."""
    from api import create_app

    index = str(out / "index")
    apps = {}
    with stderr_to_devnull():
        for name, extra in CPU_VARIANTS.items():
            config = {"INDEX_DIR": index, **APP_ENV, **extra}
            apps[name] = create_app(config)
        served = apps["app as served"].test_client()
        totals = {n: served.get(f"/v1/{n}").json["meta"]["total"] for n in LISTS}
        chosen = "conditions" if totals["conditions"] >= 20 else max(totals, key=totals.get)
        paths = {"detail": DETAIL, "list": f"/v1/{chosen}?per_page=20"}
        answers = {name: served.get(path, headers=IDENTITY) for name, path in paths.items()}
    spec = out / "cpu-bare.json"
    spec.write_text(
        json.dumps(
            {
                path.split("?")[0]: {"body": a.data.decode(), "etag": a.headers["ETag"]}
                for path, a in ((paths[n], answers[n]) for n in paths)
            }
        )
    )
    os.environ["BARE_BODIES"] = str(spec)
    from benchmarks.bare_app import app as bare

    apps["bare Flask"] = bare
    etag = {"If-None-Match": answers["detail"].headers["ETag"]}
    requests_of = {
        "detail": (DETAIL, IDENTITY),
        "304": (DETAIL, IDENTITY | etag),
        "list": (paths["list"], IDENTITY),
    }
    best = {(name, s): math.inf for name in apps for s in CPU_SCENARIOS}
    with stderr_to_devnull():
        for _ in range(rounds):  # in turns, keeping each variant's best round
            for name, app in apps.items():
                for scenario, (path, headers) in requests_of.items():
                    status = 304 if scenario == "304" else 200
                    for _ in range(50):
                        assert wsgi_get(app, path, headers) == status
                    started = time.process_time()
                    for _ in range(requests_per_round):
                        wsgi_get(app, path, headers)
                    spent = (time.process_time() - started) / requests_per_round * 1e6
                    best[name, scenario] = min(best[name, scenario], spent)
    return best


def request_cpu_report(best: dict, machine_info: dict) -> str:
    columns = [f"{s} µs" for s in CPU_SCENARIOS] + [f"{s}: bare ÷ this" for s in CPU_SCENARIOS]
    rows = [row("variant", *columns), "|---" * (len(columns) + 1) + "|"]
    for name in dict.fromkeys(name for name, _ in best):
        cells = [f"{best[name, s]:.0f}" for s in CPU_SCENARIOS]
        cells += [f"{best['bare Flask', s] / best[name, s]:.2f}" for s in CPU_SCENARIOS]
        rows.append(row(name, *cells))
    table = "\n".join(rows)
    return f"""## CPU per request, in-process: `.venv/bin/python benchmarks/throughput.py --cpu`

Run {machine_info["date"]} on {machine_info["cpu"]} (load average {machine_info["load"][0]:.2f}).
The detail, 304 and list scenarios of the throughput table (memoised after the first request)
through the WSGI callable with the environ gunicorn builds (`wsgi_get`), best of 9 rounds of 300
requests taken in turns, measured as this process's CPU time (so the machine's other load counts
less than in wall-clock figures). Each row is the app with one setting changed: what that part
of the one path costs; *bare ÷ this* is the in-process counterpart of the throughput ratios
(no server's cost is in any figure: gunicorn's own work per request, its check of each response
header included, comes on top of each, in the wall-clock table). The access log is on as
served, written to /dev/null.

{table}
"""


def _mixed_client(url: str, paths: list[str], seconds: float, seed: int) -> tuple[list, dict]:
    """One client process: keeps asking for its share of `paths` (a new connection per request,
    gzip accepted, as browsers and apps ask) until `seconds` have passed."""
    import random

    rng, parts = random.Random(seed), urlsplit(url)
    latencies, statuses = [], {}
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("GET", rng.choice(paths), headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status] = statuses.get(response.status, 0) + 1
        except OSError:
            statuses["error"] = statuses.get("error", 0) + 1
        finally:
            conn.close()
    return latencies, statuses


def mixed_paths(slugs: list[str], words: list[str], total: int, seed: int = 1) -> list[str]:
    """The users' shape: 70 % details (Zipf over the pages, s = 1.1: a few pages are most of
    the traffic), 15 % list pages (any page, 20 or 50 per page), 15 % searches, each distinct
    (two or three words from the pack's titles)."""
    import random

    rng = random.Random(seed)
    weights = [1 / (rank**1.1) for rank in range(1, len(slugs) + 1)]
    order = slugs[:]
    rng.shuffle(order)
    details = rng.choices(order, weights=weights, k=total)
    paths, seen = [], set()
    for n in range(total):
        pick = rng.random()
        if pick < 0.70:
            paths.append(f"/v1/conditions/{details[n]}")
        elif pick < 0.85:
            per_page = rng.choice((20, 50))
            page = rng.randint(1, max(1, len(slugs) // per_page))
            paths.append(f"/v1/conditions?page={page}&per_page={per_page}")
        else:
            query = "+".join(rng.sample(words, rng.choice((2, 3))))
            while query in seen:
                query = "+".join(rng.sample(words, 3))
            seen.add(query)
            paths.append(f"/v1/search?q={query}")
    return paths


def mixed(args, out: Path) -> dict:
    """The mixed workload on the MedQuAD pack: req/s, p50, p99 and the memo's hit rate (from
    the access log's `memo` field)."""
    from benchmarks.medquad import convert

    pack = out / "medquad"
    shutil.rmtree(pack, ignore_errors=True)
    pages = convert(pack)
    log = out / "mixed.log"
    log.unlink(missing_ok=True)
    cold = not (out / "medquad-index").exists()
    env = {"CONTENT_DIR": str(pack), "INDEX_DIR": str(out / "medquad-index"), **APP_ENV}
    env["WORKER_CLASS"] = args.workers[0]
    with Server("wsgi:app", log, **env) as app:
        start_up = app.wait_ready("/readyz", timeout=600)
        listing = requests.get(app.url + "/v1/changes", timeout=60).json()["items"]
        slugs = [i["slug"] for i in listing if i["change"] == "upsert"]
        words = sorted(
            {
                w.lower()
                for p in pack.glob("conditions/*.md")
                for w in _title(p).split()
                if w.isalpha() and len(w) > 3
            }
        )
        paths = mixed_paths(slugs, words, 200_000)
        size = log.stat().st_size
        chunks = [paths[i :: args.connections] for i in range(args.connections)]
        with multiprocessing.Pool(args.connections) as pool:
            parts = pool.starmap(
                _mixed_client,
                [(app.url, chunk, args.mixed, n) for n, chunk in enumerate(chunks)],
            )
    latencies = sorted(t for p in parts for t in p[0]) or [math.nan]
    statuses: dict = {}
    for part in parts:
        for status, count in part[1].items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    memo = {"hit": 0, "miss": 0}
    with log.open("rb") as handle:
        handle.seek(size)
        for line in handle:
            if line.startswith(b"{"):
                value = json.loads(line).get("memo")
                if value in memo:
                    memo[value] += 1
    at = [latencies[max(0, math.ceil(q * len(latencies)) - 1)] for q in (0.5, 0.99)]
    looked_up = memo["hit"] + memo["miss"]
    return {
        "pages": pages,
        "start_up_s": start_up,
        "cold": cold,
        "seconds": args.mixed,
        "requests": len(latencies),
        "rps": len(latencies) / args.mixed,
        "p50": at[0],
        "p99": at[1],
        "statuses": statuses,
        "memo": memo,
        "hit_rate": memo["hit"] / looked_up if looked_up else math.nan,
    }


def _title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("name:"):
            return line[5:].strip().strip("'\"")
    return ""


def mixed_row(m: dict) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(m["statuses"].items()))
    cells = [m["requests"], f"{m['rps']:.0f}", f"{m['p50']:.2f}", f"{m['p99']:.2f}"]
    cells += [m["memo"]["hit"], m["memo"]["miss"], f"{m['hit_rate']:.1%}", statuses]
    return row(*cells)


def mixed_report(m: dict, machine_info: dict, args) -> str:
    origin = "cold: store, index and manifest built"
    if not m["cold"]:
        origin = "from the snapshot, index and manifest an earlier run left in `INDEX_DIR`"
    return f"""## Mixed workload on MedQuAD: `.venv/bin/python benchmarks/throughput.py --mixed S`

Run {machine_info["date"]} on {machine_info["cpu"]}, {machine_info["cores"]} cores; the app
under gunicorn (`WEB_CONCURRENCY=2`, `WORKER_CLASS={args.workers[0]}`, defaults except
`RATELIMIT_DEFAULT` raised) on the
{m["pages"]:,} MedQuAD pages (`benchmarks/medquad.py`), ready {m["start_up_s"]:.1f} s after
start ({origin}). {args.connections} client processes on the same
cores, each a new connection per request with `Accept-Encoding: gzip`, for {m["seconds"]} s:
70 % details (Zipf, s = 1.1, over all pages), 15 % list pages (`/v1/conditions`, any page, 20 or
50 per page), 15 % searches, every query distinct.

| requests | req/s | p50 ms | p99 ms | memo hits | memo misses | hit rate | statuses |
|---|---|---|---|---|---|---|---|
{mixed_row(m)}

The hit rate counts the content responses of both workers (each has its own memo, warmed by
this run alone); searches are distinct, so they always miss.
"""


def measure(args, out: Path, wc: str, load, r: dict) -> tuple[list[dict], str]:
    """The scenarios on one gunicorn worker class: the app, the bare app and the app with the
    memo off (and the baseline's two, if any), all with WORKER_CLASS=wc."""
    env, index = {"WORKER_CLASS": wc, **APP_ENV}, str(out / "index")
    with Server("wsgi:app", out / f"app-{wc}.log", INDEX_DIR=index, **env) as app:
        app.wait_ready("/readyz")
        runs, note = scenarios(app.url)
        bodies, ok = out / "bare-bodies.json", (s for s in runs if s["status"] == 200)
        spec = {s["path"].split("?")[0]: {"body": s["body"], "etag": s["etag"]} for s in ok}
        bodies.write_text(json.dumps(spec))
        bare = Server(
            "benchmarks.bare_app:app",
            out / f"bare-{wc}.log",
            BARE_BODIES=str(bodies),
            WORKER_CLASS=wc,
        )
        full = Server(  # the same app with the memo off: every request runs its view
            "wsgi:app",
            out / f"full-{wc}.log",
            INDEX_DIR=index,
            RESPONSE_MEMO_MB="0",
            **env,
        )
        servers = [("app", app), ("bare", bare), ("full", full)]
        if args.baseline:
            r["baseline"] = (args.baseline / "COMMIT").read_text().strip()
            old = {"GUNICORN_CMD_ARGS": f"--chdir {args.baseline.resolve()}", **env}
            old["INDEX_DIR"] = str(out / "before-index")
            servers.append(("before", Server("wsgi:app", out / f"before-{wc}.log", **old)))
        with contextlib.ExitStack() as stack:
            for _, server in servers[1:]:
                stack.enter_context(server)
            bare.wait_ready(DETAIL)
            for _, server in servers[2:]:
                server.wait_ready("/readyz")
            for s in runs:
                owns = {}
                for who, server in servers:
                    own = s if who in ("app", "bare", "full") else own_etag(server.url, s)
                    check(server.url, own, sizes=who in ("app", "bare", "full"))
                    load(server.url, own, args.warmup)
                    owns[who] = own
                # The servers take turns in short slices, so a change in the machine's other
                # load (2 shared cores) falls on all of them alike instead of on one run.
                slices: dict = {who: [] for who, _ in servers}
                for turn in range(args.rounds):
                    for who, server in servers:
                        print(f"{wc} {s['name']}: {who} {turn + 1}/{args.rounds}…", file=sys.stderr)
                        slices[who].append(load(server.url, owns[who], args.duration / args.rounds))
                for who, taken in slices.items():
                    s[who] = combine(taken)
    return runs, note


def write_readme(section: str) -> None:
    write_readme_section(START, END, section, "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=12, help="seconds per scenario and server, all slices"
    )
    parser.add_argument("--rounds", type=int, default=4, help="slices each server takes in turn")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of the warm-up run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "throughput")
    parser.add_argument(
        "--mixed", type=int, default=180, help="seconds of the MedQuAD mixed workload; 0: skip"
    )
    parser.add_argument("--only-mixed", action="store_true", help="skip the four scenarios")
    parser.add_argument("--cpu", action="store_true", help="only the in-process CPU table")
    parser.add_argument(
        "--workers",
        type=lambda text: text.split(","),
        default=["sync", "gevent"],
        help="gunicorn worker classes, each measured in its own run (app and bare alike)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="an exported older tree (git archive) to measure beside the app, e.g. before a change",
    )
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.only_mixed:
        return run_mixed(args, out, machine(None))
    if args.cpu:
        section = request_cpu_report(request_cpu(out), machine(None))
        write_readme_section(CPU_START, CPU_END, section, "")
        print(section)
        return 0
    shutil.rmtree(out / "index", ignore_errors=True)
    (out / "index").mkdir(parents=True)
    for old in out.glob("*.log"):  # the servers append: each run's logs start empty
        old.unlink()
    wrk_path = ensure_wrk()
    r = {"machine": machine(wrk_path), "wrk": bool(wrk_path)}

    def load(url: str, s: dict, seconds: float) -> dict:
        if wrk_path:
            return wrk(url + s["path"], s["headers"], seconds, args)
        return pyload(url + s["path"], s["headers"], seconds, args, s["status"])

    r["runs"] = {}
    for worker_class in args.workers:
        r["runs"][worker_class], r["list_note"] = measure(args, out, worker_class, load, r)
    r["load_after"] = os.getloadavg()
    section = report(r, args)
    for s in (s for runs in r["runs"].values() for s in runs):
        s.pop("body", None)
    (out / "results.json").write_text(json.dumps(r, indent=2))
    write_readme(section)
    print(section)
    if args.mixed:
        run_mixed(args, out, r["machine"])
    return 0


def run_mixed(args, out: Path, machine_info: dict) -> int:
    result = mixed(args, out)
    (out / "mixed.json").write_text(json.dumps(result, indent=2))
    section = mixed_report(result, machine_info, args)
    write_readme_section(MIXED_START, MIXED_END, section, "")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
