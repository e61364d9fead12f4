"""What one request costs the serving workers: CPU time (user + system) of gunicorn's workers per
request under wrk, for the app as served, variants of it (settings changed) and bare Flask, the
servers taking turns in short slices.

    .venv/bin/python benchmarks/worker_cpu.py [--scenario 304|detail|list] [--rounds 5]
        [--seconds 4] [--workers sync] [--variant NAME:SETTING=VALUE,…]…
    .venv/bin/python benchmarks/worker_cpu.py --count

`--count` prints instead the Python work of one memoised request through the WSGI callable:
function calls and bytecodes executed (sys.settrace), app and bare Flask. Deterministic, so it
compares changes on a loaded machine; C code (orjson, the kernel, gunicorn) is not in it.
`--instructions` counts the machine instructions of one such request, C code included, under
valgrind's callgrind (installed from Debian if missing): each app runs LOW and then HIGH
requests after a warm-up and the collector's freeze (as gunicorn.conf.py's workers do), and
the difference of the two runs' totals, divided by HIGH - LOW, is one request's (start-up and
one-off costs cancel). Deterministic too; the kernel and gunicorn are not in it.

Why beside throughput.py: req/s says how much the app falls behind bare Flask, not where. The
in-process CPU table (`throughput.py --cpu`) runs one request after another in a hot loop and
misses most of what a worker pays under a server, where gunicorn's parsing and the kernel's socket
work evict the caches between requests (benchmarks/README.md, *Worker CPU per 304*). Reading the
workers' own CPU counters from /proc while wrk loads them measures that cost where it happens.
Prints a Markdown table; medians of the rounds. Only rows of one run compare.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import ROOT, Server, row, run_line, write_readme_section  # noqa: E402
from benchmarks.throughput import (  # noqa: E402
    APP_ENV,
    DETAIL,
    IDENTITY,
    ensure_debian,
    ensure_wrk,
    stderr_to_devnull,
    wrk,
    wsgi_get,
)

MARKS = {
    "measured": ("<!-- worker-cpu-results:start -->", "<!-- worker-cpu-results:end -->"),
    "count": ("<!-- python-work-results:start -->", "<!-- python-work-results:end -->"),
    "instructions": ("<!-- instructions-results:start -->", "<!-- instructions-results:end -->"),
}
LOW, HIGH = 300, 900  # requests per callgrind run (--instructions)
PATHS = {"304": DETAIL, "detail": DETAIL, "list": "/v1/treatments?per_page=20"}
TICKS = os.sysconf("SC_CLK_TCK")


def workers_cpu(master: int) -> float:
    """Seconds of CPU (user + system) the master's children have used so far: fields 14 and 15
    of /proc/PID/stat (proc(5)), in clock ticks."""
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True
    ).stdout.split()
    total = 0
    for pid in children:
        with contextlib.suppress(OSError):  # a worker that just exited
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def parse_variant(text: str) -> tuple[str, dict]:
    """ "name:A=1,B=2" → ("name", {"A": "1", "B": "2"}); "name:" is the app as served."""
    name, colon, settings = text.partition(":")
    if not name or not colon:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME:SETTING=VALUE,…")
    pairs = [part.split("=", 1) for part in settings.split(",") if part]
    if any(len(pair) != 2 for pair in pairs):
        raise argparse.ArgumentTypeError(f"{text!r}: each setting needs SETTING=VALUE")
    return name, dict(pairs)


def one_slice(server: Server, path: str, headers: dict, seconds: int) -> tuple[float, float]:
    """(req/s, µs of worker CPU per request) of one wrk run."""
    load = SimpleNamespace(threads=2, connections=16)
    before = workers_cpu(server.proc.pid)
    done = wrk(server.url + path, headers, seconds, load)
    spent = workers_cpu(server.proc.pid) - before
    if done["bad_status"] or done["socket_errors"]:
        raise RuntimeError(f"{server.url}{path}: {done}")
    return done["rps"], spent / done["requests"] * 1e6


def python_work(app, path: str, headers: dict, warm: int = 5) -> tuple[int, int]:
    """(Python calls, bytecodes) one request executes, after `warm` identical ones."""
    for _ in range(warm):
        wsgi_get(app, path, headers)
    calls = codes = 0

    def trace(frame, event, _arg):
        nonlocal calls, codes
        if event == "call":
            calls += 1
            frame.f_trace_opcodes = True
        elif event == "opcode":
            codes += 1
        return trace

    sys.settrace(trace)
    try:
        wsgi_get(app, path, headers)
    finally:
        sys.settrace(None)
    return calls, codes


def count(out: Path) -> str:
    """The `--count` table: the app (bundled content, as served) against bare Flask."""
    from api import create_app

    with stderr_to_devnull():
        app = create_app({"INDEX_DIR": str(out / "index"), **APP_ENV})
        answer = app.test_client().get(DETAIL, headers=IDENTITY)
        spec = out / "bare-bodies.json"
        spec.write_text(json.dumps({DETAIL: {"body": answer.text, "etag": answer.headers["ETag"]}}))
        os.environ["BARE_BODIES"] = str(spec)
        from benchmarks.bare_app import app as bare

        etag = {"If-None-Match": answer.headers["ETag"]}
        requests_of = {
            "304, no `Accept-Encoding` (throughput.py's)": etag,
            "304, `Accept-Encoding: identity`": IDENTITY | etag,
            "detail 200, no `Accept-Encoding`": {},
            "detail 200, `Accept-Encoding: gzip`": {"Accept-Encoding": "gzip"},
        }
        lines = [row("request", "app: calls / bytecodes", "bare Flask"), "|---|---|---|"]
        for name, headers in requests_of.items():
            mine, theirs = python_work(app, DETAIL, headers), python_work(bare, DETAIL, headers)
            lines.append(row(name, " / ".join(map(str, mine)), " / ".join(map(str, theirs))))
    return "\n".join(lines)


def _child(kind: str, scenario: str, spec: str, index: str, requests_made: int) -> None:
    """Inside valgrind: `requests_made` requests of `scenario` after a warm-up."""
    import gc

    with stderr_to_devnull():
        if kind == "app":
            from api import create_app

            app = create_app({"INDEX_DIR": index, **APP_ENV})
        else:
            os.environ["BARE_BODIES"] = spec
            from benchmarks.bare_app import app
        path, headers = PATHS[scenario], dict(IDENTITY)
        if scenario == "304":
            headers["If-None-Match"] = json.loads(Path(spec).read_text())[DETAIL]["etag"]
        for _ in range(20):
            wsgi_get(app, path, headers)
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py's post_worker_init: the collector never walks these
        for _ in range(requests_made):
            wsgi_get(app, path, headers)


def collected(stderr: str) -> int:
    """The total callgrind reports ("==PID== Collected : N")."""
    for line in stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip())
    raise RuntimeError(f"no callgrind total in: {stderr[-500:]}")


def instructions(out: Path, scenario: str) -> str:
    """The `--instructions` table: instructions per request of `scenario`, app and bare."""
    from api import create_app

    index, path = str(out / "index"), PATHS[scenario]
    with stderr_to_devnull():
        answer = create_app({"INDEX_DIR": index, **APP_ENV}).test_client().get(path)
    spec = out / "bare-bodies.json"  # the bare app answers the path without its query
    spec.write_text(
        json.dumps({path.split("?")[0]: {"body": answer.text, "etag": answer.headers["ETag"]}})
    )
    measured = {}
    for kind in ("app", "bare Flask"):
        totals = []
        for requests_made in (LOW, HIGH):
            argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
            argv += [sys.executable, __file__, "--child", kind.split()[0], scenario, str(spec)]
            argv += [index, str(requests_made)]
            done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=True)
            totals.append(collected(done.stderr))
        measured[kind] = (totals[1] - totals[0]) / (HIGH - LOW)
    lines = [
        f"Scenario {scenario} (`{path}`), through the WSGI callable; callgrind, {LOW} and "
        f"{HIGH} requests per run.",
        "",
        row("server", "instructions per request", "÷ bare"),
        "|---|---|---|",
    ]
    for kind, count in measured.items():
        lines.append(row(kind, f"{count:,.0f}", f"{count / measured['bare Flask']:.3f}"))
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:6], int(sys.argv[6]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=sorted(PATHS), default="304")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4, help="per slice")
    parser.add_argument("--workers", default="sync", help="gunicorn worker class")
    parser.add_argument("--variant", type=parse_variant, action="append", default=[])
    parser.add_argument("--count", action="store_true", help="Python calls and bytecodes instead")
    parser.add_argument(
        "--instructions", action="store_true", help="machine instructions (callgrind) instead"
    )
    args = parser.parse_args()
    if args.instructions:
        if not ensure_debian("valgrind"):
            print("valgrind is needed (apt-get install valgrind)", file=sys.stderr)
            return 1
        with tempfile.TemporaryDirectory(prefix="worker-cpu-") as tmp:
            table = instructions(Path(tmp), args.scenario)
        publish("instructions", f"{run_line()}\n\n{table}")
        return 0
    if args.count:
        with tempfile.TemporaryDirectory(prefix="worker-cpu-") as tmp:
            table = count(Path(tmp))
        publish("count", f"{run_line()}\n\n{table}")
        return 0
    if not ensure_wrk():
        print("wrk is needed (apt-get install wrk)", file=sys.stderr)
        return 1
    path = PATHS[args.scenario]
    env = {"WORKER_CLASS": args.workers, **APP_ENV}
    variants = [("app", {}), *args.variant]  # "app": as served
    with tempfile.TemporaryDirectory(prefix="worker-cpu-") as tmp, contextlib.ExitStack() as stack:
        out, servers = Path(tmp), {}
        for name, settings in variants:
            index = str(out / "index")  # built by the first, reused by the others
            server = Server("wsgi:app", out / f"{name}.log", INDEX_DIR=index, **env, **settings)
            servers[name] = stack.enter_context(server)
            server.wait_ready("/readyz", timeout=600)  # the first one builds the index
        answer = requests.get(servers["app"].url + path, headers=IDENTITY, timeout=10)
        spec = out / "bare-bodies.json"
        spec.write_text(
            json.dumps({path.split("?")[0]: {"body": answer.text, "etag": answer.headers["ETag"]}})
        )
        bare = Server("benchmarks.bare_app:app", out / "bare.log", BARE_BODIES=str(spec), **env)
        servers["bare Flask"] = stack.enter_context(bare)
        bare.wait_ready(path.split("?")[0])
        asked = {name: dict(IDENTITY) for name in servers}
        if args.scenario == "304":  # each server revalidates its own tag (bare: the app's)
            for name, server in servers.items():
                own = requests.get(server.url + path, headers=IDENTITY, timeout=10)
                asked[name]["If-None-Match"] = own.headers.get("ETag", answer.headers["ETag"])
        slices: dict = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, server in servers.items():
                slices[name].append(one_slice(server, path, asked[name], args.seconds))
    bare_rps = statistics.median(rps for rps, _ in slices["bare Flask"])
    lines = [
        f"Scenario {args.scenario} (`{path}`), `WORKER_CLASS={args.workers}`, 2 workers; "
        f"`wrk -t2 -c16`, {args.rounds} rounds of {args.seconds} s per server, in turns.",
        "",
        row("server", "req/s (median)", "÷ bare", "worker CPU µs/request (median)", "slices req/s"),
        "|---|---|---|---|---|",
    ]
    for name, measured in slices.items():
        rps = statistics.median(r for r, _ in measured)
        cpu = statistics.median(c for _, c in measured)
        each = " ".join(f"{r:.0f}" for r, _ in measured)
        lines.append(row(name, f"{rps:.0f}", f"{rps / bare_rps:.3f}", f"{cpu:.0f}", each))
    publish("measured", f"{run_line()}\n\n" + "\n".join(lines))
    return 0


def publish(kind: str, section: str) -> None:
    """Print the table and write it into its marked part of benchmarks/README.md."""
    print(section)
    write_readme_section(*MARKS[kind], section)


if __name__ == "__main__":
    sys.exit(main())
