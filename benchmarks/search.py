"""Search benchmark on MedQuAD: cold build, restart, HTTP latency against SQLite FTS5, worker
memory and result quality, in one run on the same queries.

    python benchmarks/search.py [--source PATH] [--out DIR] [--rounds N]

Prints a Markdown report, writes OUT/results.json and the marked section of benchmarks/README.md.
"""

import argparse
import json
import math
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import medquad  # noqa: E402
from benchmarks.common import ROOT, Server, http_get, row, write_readme_section  # noqa: E402
from benchmarks.fts5 import fts5_build, fts5_search  # noqa: E402
from benchmarks.quality import quality, quality_sets  # noqa: E402

START, END = "<!-- search-results:start -->", "<!-- search-results:end -->"
TARGETS = {"index_build_s": 6.0, "restart_s": 1.5, "ratio": 1.5, "mb": 250.0}
QUERIES = [
    *("diabetes", "glaucoma", "asthma", "osteoporosis", "shingles", "multiple sclerosis"),
    *("breast cancer", "parkinson's disease", "complex regional pain syndrome", "celiac disease"),
    *("glaucoma treatment", "diabetes symptoms", "stroke causes", "gout prevention"),
    *("migraine treatment", "cystic fibrosis inheritance", "epilepsy outlook", "kidney stones"),
    *("sickle cell disease symptoms", "lupus treatment options", "chest pain", "memory loss"),
    *("joint pain swelling", "blurred vision", "shortness of breath", "high blood sugar"),
    *("chronic fatigue", "hearing loss children", "sleep apnea treatment", "back pain exercise"),
    *('"high blood pressure"', '"heart attack" symptoms', '"type 1 diabetes"'),
    '"chronic pain" treatment',
    *("diabtes", "alzhiemer disease", "astma treatment", "glacoma", "osteoporsis"),
    *("parkinsons symtoms", "schizophrenia treatmnet", "epilepsey"),
]


def cold_child(kind: str, content: str, target: str) -> None:
    """Runs in a fresh interpreter: prints the timings of one cold step as JSON."""
    started = time.perf_counter()
    import api
    from api.content.loader import load_store
    from api.search import index

    out = {"import_s": time.perf_counter() - started}
    started = time.perf_counter()
    if kind == "build":
        store = load_store(content)
        out["load_store_s"] = time.perf_counter() - started
        started = time.perf_counter()
        out["documents"] = index.build(store, Path(target), procs=2)
        out["index_build_s"] = time.perf_counter() - started
    else:
        api.create_app({"CONTENT_DIR": content, "INDEX_DIR": target})
        out["create_app_s"] = time.perf_counter() - started
    print(json.dumps(out))


def cold_build(content: Path, out: Path) -> dict:
    results = {}
    for kind, target in (("build", out / "build-index"), ("app", out / "index")):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        argv = [sys.executable, __file__, "--cold", kind, str(content), str(target)]
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise RuntimeError(f"cold {kind} failed:\n{done.stderr}")
        results[kind] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def app_server(content: Path, index: Path, log: Path) -> Server:
    return Server("wsgi:app", log, CONTENT_DIR=str(content), INDEX_DIR=str(index))


def restarts(content: Path, index: Path, log: Path, times: int = 3) -> dict:
    """Popen → first 200 of a search, `times` times; alternated with the floor of the same
    minutes: the same gunicorn (settings, 2 gevent workers, hooks) serving a bare Flask app
    (benchmarks/bare_app.py), i.e. Python, gunicorn and gevent without this app's start-up."""
    runs, bare = [], []
    bodies = log.parent / "restart-bare.json"
    bodies.write_text(json.dumps({"/v1/search": {"body": "{}", "etag": '"0"'}}))
    for _ in range(times):
        with app_server(content, index, log) as server:
            runs.append(server.wait_ready("/v1/search?q=diabetes"))
        with Server("benchmarks.bare_app:app", log, BARE_BODIES=str(bodies)) as server:
            bare.append(server.wait_ready("/v1/search?q=diabetes"))
    return {
        "median_s": sorted(runs)[len(runs) // 2],
        "runs_s": runs,
        "bare_median_s": sorted(bare)[len(bare) // 2],
        "bare_runs_s": bare,
    }


def search_url(url: str, q: str) -> str:
    return f"{url}/v1/search?" + urlencode({"q": q, "per_page": 10})


def app_search(url: str, q: str) -> tuple[float, int, list[str], int | None]:
    """(seconds, status, hit slugs, total) of one HTTP search: request to decoded body."""
    started = time.perf_counter()
    try:
        status, body = http_get(search_url(url, q))
    except OSError:
        return time.perf_counter() - started, 0, [], None
    elapsed = time.perf_counter() - started
    if status != 200:
        return elapsed, status, [], None
    body = json.loads(body)
    return elapsed, 200, [item["slug"] for item in body["items"]], body["meta"]["total"]


def client_overhead(url: str) -> dict:
    """p50 ms of the latency queries, all answered before, fetched by our client and by
    `requests`: the difference is the client's own time, not the server's."""
    import requests

    out = {}
    with requests.Session() as session:
        for name, get in (
            ("http.client", lambda q: http_get(search_url(url, q))),
            ("requests", lambda q: session.get(search_url(url, q), timeout=10).content),
        ):
            times = []
            for _ in range(3):
                for q in QUERIES:
                    started = time.perf_counter()
                    get(q)
                    times.append((time.perf_counter() - started) * 1000)
            out[name] = percentile(times, 50)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency(engines: dict, rounds: int) -> dict:
    """Every query `rounds` times in order, each engine in turn on the same query, so a change in
    the machine's speed during the run (it varies by tens of percent here) affects both alike.
    Per engine: p50/p95 (ms) of round 1, rounds 2..N and all, and round 1's answers."""
    out = {}
    per_round = {name: [] for name in engines}
    first = {name: [] for name in engines}
    for number in range(rounds):
        times = {name: [] for name in engines}
        for q in QUERIES:
            for name, search in engines.items():
                elapsed, status, _, total = search(q)
                times[name].append(elapsed * 1000)
                if number == 0:
                    first[name].append(
                        {"q": q, "status": status, "total": total, "ms": elapsed * 1000}
                    )
        for name in engines:
            per_round[name].append(times[name])
    for name in engines:
        stats = {}
        for label, v in (
            ("round 1", per_round[name][:1]),
            ("rounds 2..N", per_round[name][1:]),
            ("overall", per_round[name]),
        ):
            v = sum(v, [])
            stats[label] = {"n": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95)}
        out[name] = {"stats": stats, "queries": first[name]}
    return out


def proc_memory(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    found = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M))
    pss = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)
    kb = {"hwm_mb": found["VmHWM"], "rss_mb": found["VmRSS"], "pss_mb": pss.group(1)}
    return {key: int(value) / 1024 for key, value in kb.items()}


def server_memory(master: int) -> dict:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    workers = [proc_memory(int(pid)) for pid in children]
    largest = {key: max(w[key] for w in workers) for key in workers[0]} if workers else {}
    return {"master": proc_memory(master), "workers": workers, "max_worker": largest}


def machine() -> dict:
    import whoosh

    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    return {
        "cpu": model.group(1) if model else platform.processor(),
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "whoosh": whoosh.versionstring(),
        "load": os.getloadavg(),
        "date": subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip(),
    }


def head(*names) -> list[str]:
    return ["", row(*names), "|" + "---|" * len(names)]


def report(r: dict) -> str:
    m, cold, app, fts = r["machine"], r["cold"], r["app_latency"], r["fts5_latency"]
    ratio = r["ratios"] = {
        g: {p: s[p] / fts["stats"][g][p] for p in ("p50", "p95")} for g, s in app["stats"].items()
    }
    load = " → ".join("/".join(f"{x:.2f}" for x in a) for a in (m["load"], os.getloadavg()))
    build, runs = cold["build"], ", ".join(f"{s:.2f}" for s in r["restart"]["runs_s"])
    bare_runs = ", ".join(f"{s:.2f}" for s in r["restart"]["bare_runs_s"])
    worker_mb = r["memory"]["after_latency"]["max_worker"]["hwm_mb"]
    client = r["client_p50_ms"]
    lines = [
        f"Run {m['date']} on {m['cpu']}, {m['cores']} cores (load average 1/5/15 min {load}); "
        f"Python {m['python']}, SQLite {m['sqlite']}, Whoosh {m['whoosh']}. Corpus: "
        f"{r['documents']} MedQuAD condition pages; {len(QUERIES)} queries × {r['rounds']} rounds.",
        *head("metric", "measured", "target", ""),
    ]
    for name, value, key, unit in [
        ("index cold build (procs=2)", build["index_build_s"], "index_build_s", "s"),
        ("restart, unchanged content (median)", r["restart"]["median_s"], "restart_s", "s"),
        ("HTTP p50 / FTS5 p50, rounds 2..N", ratio["rounds 2..N"]["p50"], "ratio", "×"),
        ("HTTP p50 / FTS5 p50, round 1", ratio["round 1"]["p50"], "ratio", "×"),
        ("worker peak RSS (VmHWM), after the latency run", worker_mb, "mb", "MB"),
    ]:
        verdict = "PASS" if value <= TARGETS[key] else "MISS"
        lines.append(
            row(name, f"{value:.2f} {unit}", f"≤ {TARGETS[key]:g} {unit}", f"**{verdict}**")
        )
    lines += [
        "",
        "**Cold build**, each step in a fresh interpreter: "
        f"`load_store` {build['load_store_s']:.2f} s, index build {build['index_build_s']:.2f} s; "
        "the whole `create_app` "
        f"{cold['app']['create_app_s']:.2f} s (+ {cold['app']['import_s']:.2f} s of imports). "
        f"FTS5 build of the same fields, in memory: {r['fts5_build_s']:.2f} s.",
        "",
        "**Restart** (gunicorn, 2 workers; Popen → first 200 of `/v1/search?q=diabetes`): "
        f"median {r['restart']['median_s']:.2f} s; runs {runs} s. Alternated with it, the same "
        "gunicorn serving a bare Flask app (`benchmarks/bare_app.py`: Python, gunicorn and "
        f"gevent only): median {r['restart']['bare_median_s']:.2f} s; runs {bare_runs} s; the "
        f"app's restart is {r['restart']['median_s'] / r['restart']['bare_median_s']:.1f}× that.",
        "",
        "**Latency** in ms: the app over HTTP (2 sync workers, a new connection per request, "
        "gzip accepted; timed from the request to the decoded body by Python's `http.client`) "
        "and FTS5 in-process (ranked top 10 with snippet, plus the count), interleaved: each "
        "query goes to the app, then to FTS5. The client's own share: the same queries, answered "
        f"before, took p50 {client['http.client']:.2f} ms through `http.client` and "
        f"{client['requests']:.2f} ms through `requests` (used before 2026-11-25 and slower by "
        "its own Python work, not the server's).",
        *head("queries", "n", "app p50", "app p95", "FTS5 p50", "FTS5 p95", "p50 ×", "p95 ×"),
    ]
    for group, s in app["stats"].items():
        f, x = fts["stats"][group], ratio[group]
        times = (f"{t:.2f}" for t in (s["p50"], s["p95"], f["p50"], f["p95"]))
        lines.append(row(group, s["n"], *times, f"{x['p50']:.1f}", f"{x['p95']:.1f}"))
    lines += ["", "**Memory** in MB (the largest of the 2 workers; the master):"]
    lines += head("process", "VmHWM", "VmRSS", "Pss")
    for who, when in (("max_worker", "latency"), ("max_worker", "quality"), ("master", "quality")):
        v, label = r["memory"][f"after_{when}"][who], who.replace("max_", "")
        lines.append(row(f"{label}, after {when}", *(f"{v[k]:.0f}" for k in v)))
    lines += ["", "**Quality**: top 10; relevant = every page with the query's focus."]
    lines += head("queries", "n", "app hit@10", "app MRR", "FTS5 hit@10", "FTS5 MRR")
    for name, a in r["quality"]["app"].items():
        f = r["quality"]["fts5"][name]
        cells = (f"{a['hit@10']:.1%}", f"{a['mrr']:.3f}", f"{f['hit@10']:.1%}", f"{f['mrr']:.3f}")
        lines.append(row(name, a["n"], *cells))
    lines.append("")
    for engine, data in (("app", app), ("fts5", fts)):
        empty = [q["q"] for q in data["queries"] if q["status"] == 200 and not q["total"]]
        failed = [f"{q['q']} ({q['status']})" for q in data["queries"] if q["status"] != 200]
        sets = r["quality"][engine].values()
        failed += [f"{e['q']} ({e['status']})" for v in sets for e in v["errors"]]
        missed = [q for v in sets for q in v["misses"]]
        listed = f" ({'; '.join(missed)})" if len(missed) <= 10 else ""
        lines.append(
            f"{engine}: latency queries with 0 hits: {', '.join(empty) or 'none'}; errors: "
            f"{', '.join(failed) or 'none'}; quality queries missed: {len(missed)}{listed}.\n"
        )
    lines.append(
        "FTS5 ranks with bm25 weights 4/3/2/1 on title/aka/summary/body (0 on the unindexed key); "
        "it has no typo tolerance and no any-word fallback (its words are ANDed)."
    )
    return "\n".join(lines) + "\n"


INTRO = """# Benchmarks

Each benchmark runs on MedQuAD (5,486 NIH health documents from `../shared/data/medquad/`) converted
to this project's content format by `benchmarks/medquad.py`, and writes its results into its own
marked section below (everything outside the markers is kept). `make bench` runs them all.

## Search: `.venv/bin/python benchmarks/search.py [--source PATH] [--out DIR] [--rounds N]`

In one run, on the same queries: the cold build (`load_store`, the Whoosh index build with 2
processes, the whole `create_app`, each in a fresh interpreter); a gunicorn restart on unchanged
content (Popen to the first 200 search answer); search latency over HTTP against 2 gunicorn workers
next to SQLite FTS5 in-process on the same documents, interleaved query by query so that a change
in the machine's speed affects both (round 1 with cold per-process caches, then steady rounds); a
serving worker's peak memory; and quality (hit in the top 10, MRR) of generated
"name + aspect" queries, misspelled variants and hand-written ones. Raw numbers:
`benchmarks/out/search/results.json`.
"""


def write_readme(section: str) -> None:
    write_readme_section(START, END, section, INTRO)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=medquad.DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "search")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", nargs=3, help=argparse.SUPPRESS)  # internal: one cold step
    args = parser.parse_args()
    if args.cold:
        cold_child(*args.cold)
        return 0
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        parser.error(f"SQLite {sqlite3.sqlite_version} has no FTS5")
    out, content = args.out.resolve(), args.out.resolve() / "content"
    out.mkdir(parents=True, exist_ok=True)
    medquad.main([str(content), "--source", str(args.source)])
    r = {"machine": machine(), "rounds": max(2, args.rounds)}
    print("cold builds…", file=sys.stderr)
    r["cold"] = cold_build(content, out)
    r["documents"] = r["cold"]["build"]["documents"]
    print("restarts…", file=sys.stderr)
    log = out / "gunicorn.log"  # every server of this run appends to it
    log.unlink(missing_ok=True)
    # as `make run` does before starting gunicorn: the project's bytecode compiled up front
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "api", "schemas", "wsgi.py"], cwd=ROOT
    )
    r["restart"] = restarts(content, out / "index", log)
    from api.content.loader import load_store

    db, r["fts5_build_s"] = fts5_build(load_store(content))
    sets = quality_sets(args.source)
    print("latency and quality…", file=sys.stderr)
    with app_server(content, out / "index", log) as server:
        server.wait_ready("/v1/site")  # ready without warming any search cache

        def app(q):
            return app_search(server.url, q)

        both = latency({"app": app, "fts5": lambda q: fts5_search(db, q)}, r["rounds"])
        r["app_latency"], r["fts5_latency"] = both["app"], both["fts5"]
        r["memory"] = {"after_latency": server_memory(server.proc.pid)}
        r["client_p50_ms"] = client_overhead(server.url)
        r["quality"] = {"app": quality(sets, app)}
        r["memory"]["after_quality"] = server_memory(server.proc.pid)
    r["quality"]["fts5"] = quality(sets, lambda q: fts5_search(db, q))
    section = report(r)
    (out / "results.json").write_text(json.dumps(r, indent=2, default=sorted))
    write_readme(section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
