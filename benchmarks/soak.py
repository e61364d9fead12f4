"""Soak: the API under gunicorn as `make run` serves it (gunicorn.conf.py, 2 workers) on the
MedQuAD pack, with mixed, mostly distinct traffic for several minutes, sampling each worker's
memory (VmRSS and Pss from /proc) over time.

    python benchmarks/soak.py [--minutes 6] [--clients 4] [--sample 10] [--warmup 60]

Traffic, drawn at random by each client thread (new connection per request, gzip accepted):
45 % condition details (5,486 slugs: almost every one distinct), 10 % their sections, 25 %
searches (a document's focus name, alone or with an aspect word, a third misspelled; pages 1-3),
10 % suggest, 5 % list pages (every page and sort), 5 % unknown slugs (404). The baseline is the
same run's memory after warm-up: growth is reported as final / after warm-up, per worker.
Writes benchmarks/out/soak/results.json and the marked section of benchmarks/README.md.
"""

import argparse
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from api.config import Config  # noqa: E402
from benchmarks import medquad  # noqa: E402
from benchmarks.common import ROOT, Server, row, run_line, write_readme_section  # noqa: E402

START, END = "<!-- soak-results:start -->", "<!-- soak-results:end -->"
BUDGET_MB = 250  # the documented per-worker budget (README, "Memory per worker")
CACHE_SETTINGS = ("RESPONSE_MEMO_MB", "SEARCH_CACHE_MB", "SEARCH_TERMS_CACHE_MB")
ASPECTS = ("symptoms", "treatment", "causes", "outlook", "diagnosis", "genetic", "prevention")
SORTS = ("title", "-title", "published", "-published", "updated", "-updated")


def misspell(word: str, pick: random.Random) -> str:
    if len(word) < 5:
        return word
    i = pick.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped


class Traffic:
    def __init__(self, documents: list[dict], slugs: list[str]):
        self.focus = [d["focus"] for d in documents if d.get("focus")]
        self.slugs = slugs
        self.sections = ("information", "symptoms", "treatment", "causes", "outlook")

    def path(self, pick: random.Random) -> str:
        roll = pick.random()
        if roll < 0.45:
            return f"/v1/conditions/{pick.choice(self.slugs)}"
        if roll < 0.55:
            return f"/v1/conditions/{pick.choice(self.slugs)}/sections/{pick.choice(self.sections)}"
        if roll < 0.80:
            words = pick.choice(self.focus).lower().split()[:4]
            if pick.random() < 0.33:
                words = [misspell(w, pick) for w in words]
            if pick.random() < 0.5:
                words.append(pick.choice(ASPECTS))
            page = pick.choice((1, 1, 1, 2, 3))
            return f"/v1/search?q={quote(' '.join(words))}&page={page}"
        if roll < 0.90:
            prefix = pick.choice(self.focus).lower()[: pick.randint(2, 6)]
            return f"/v1/search/suggest?q={quote(prefix)}"
        if roll < 0.95:
            page, per_page = pick.randint(1, 60), pick.choice((10, 20, 50, 100))
            return f"/v1/conditions?page={page}&per_page={per_page}&sort={pick.choice(SORTS)}"
        return f"/v1/conditions/no-such-page-{pick.randrange(10**9)}"


def memory(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))
    return {"rss_mb": rss / 1024, "pss_mb": pss / 1024}


def workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def run(args, content: Path, out: Path) -> dict:
    documents = [json.loads(line) for line in args.source.read_text().splitlines() if line]
    slugs = [p.stem for p in (content / "conditions").glob("*.md")]
    traffic = Traffic(documents, slugs)
    log = out / "gunicorn.log"
    log.unlink(missing_ok=True)
    built = not (out / "index").exists()  # a first start builds the index (api/prepare.py)
    env = {
        "CONTENT_DIR": str(content),
        "INDEX_DIR": str(out / "index"),
        "RATELIMIT_DEFAULT": "1000000000 per minute",  # one client IP; the limiter still counts
    }
    with Server("wsgi:app", log, **env) as server:
        server.wait_ready("/v1/site", timeout=600)
        host, port = "127.0.0.1", int(server.url.rsplit(":", 1)[1])
        # the first answer can come from the first worker while the second still boots: sample
        # both from the start, not the second as a "restart"
        deadline = time.monotonic() + 30
        while len(pids := workers(server.proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        statuses: Counter = Counter()
        failures: Counter = Counter()
        done = threading.Event()
        lock = threading.Lock()

        def client(seed: int) -> None:
            pick = random.Random(seed)
            while not done.is_set():
                connection = http.client.HTTPConnection(host, port, timeout=30)
                try:
                    connection.request(
                        "GET", traffic.path(pick), headers={"Accept-Encoding": "gzip"}
                    )
                    response = connection.getresponse()
                    response.read()
                    with lock:
                        statuses[response.status] += 1
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        failures[type(exc).__name__] += 1
                finally:
                    connection.close()

        samples = [{"t": 0.0, "requests": 0, "workers": [memory(p) for p in pids]}]
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        end = started + args.minutes * 60
        while time.monotonic() < end:
            time.sleep(min(args.sample, max(0.0, end - time.monotonic())))
            alive = workers(server.proc.pid)
            sample = {
                "t": time.monotonic() - started,
                "requests": sum(statuses.values()),
                "workers": [memory(p) for p in pids if p in alive],
                "restarted": sorted(set(alive) - set(pids)),
            }
            samples.append(sample)
            print(
                f"{sample['t']:6.0f} s {sample['requests']:7d} req  "
                + "  ".join(f"{w['rss_mb']:.0f} MB" for w in sample["workers"]),
                file=sys.stderr,
                flush=True,
            )
        done.set()
        for thread in threads:
            thread.join()
    return {
        "samples": samples,
        "statuses": dict(statuses),
        "failures": dict(failures),
        "seconds": time.monotonic() - started,
        "pids": pids,
        "built_at_start": built,
    }


def report(r: dict, args) -> str:
    samples = r["samples"]
    warm = next(s for s in samples if s["t"] >= args.warmup)
    last = samples[-1]
    total = sum(r["statuses"].values())
    caches = ", ".join(f"`{name}` {getattr(Config, name)}" for name in CACHE_SETTINGS)
    lines = [
        f"{run_line(len(os.sched_getaffinity(0)), shared=True)} "
        f"MedQuAD pack, gunicorn as `make run` serves it (gunicorn.conf.py: "
        f"{os.environ.get('WORKER_CLASS', 'gevent')} workers, 2 of them), "
        + (
            "a first start (the index built at start-up)"
            if r.get("built_at_start")
            else "a start from an existing index"
        )
        + f"; cache settings at their defaults ({caches}); {args.clients} clients for "
        f"{r['seconds'] / 60:.1f} min, {total} requests ({total / r['seconds']:.0f}/s): "
        + ", ".join(f"{n}× {s}" for s, n in sorted(r["statuses"].items()))
        + f"; failed: {sum(r['failures'].values())} {r['failures'] or ''}.",
        "",
        row(
            "worker",
            "RSS at start",
            f"RSS at {warm['t']:.0f} s (after warm-up)",
            f"RSS at {last['t']:.0f} s",
            "final / warm-up",
            "Pss final",
            f"≤ {BUDGET_MB} MB",
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for i, start in enumerate(samples[0]["workers"]):
        if i >= len(last["workers"]) or i >= len(warm["workers"]):
            lines.append(row(f"#{i + 1}", f"{start['rss_mb']:.0f} MB", "restarted", "", "", "", ""))
            continue
        w, f = warm["workers"][i], last["workers"][i]
        growth = f["rss_mb"] / w["rss_mb"]
        lines.append(
            row(
                f"#{i + 1}",
                f"{start['rss_mb']:.0f} MB",
                f"{w['rss_mb']:.0f} MB",
                f"{f['rss_mb']:.0f} MB",
                f"{growth:.2f} ({(growth - 1) * 100:+.1f} %)",
                f"{f['pss_mb']:.0f} MB",
                "yes" if f["rss_mb"] <= BUDGET_MB else "**no**",
            )
        )
    lines += ["", "RSS per worker over time (MB):", ""]
    lines.append(row("t (s)", "requests", *[f"worker #{i + 1}" for i in range(len(r["pids"]))]))
    lines.append("|---|---|" + "---|" * len(r["pids"]))
    step = max(1, len(samples) // 12)
    for s in samples[::step] + ([last] if (len(samples) - 1) % step else []):
        lines.append(
            row(f"{s['t']:.0f}", s["requests"], *[f"{w['rss_mb']:.0f}" for w in s["workers"]])
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=medquad.DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "soak")
    parser.add_argument("--minutes", type=float, default=6.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before the baseline")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    content = out / "content"
    medquad.main([str(content), "--source", str(args.source)])
    results = run(args, content, out)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    text = report(results, args)
    print(text)
    if not args.no_readme:
        write_readme_section(START, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
