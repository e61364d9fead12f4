"""Relevance benchmark: questions as people type them, on MedQuAD and on the clinic pack, the app
beside SQLite FTS5 in one run.

    python benchmarks/relevance.py [--source PATH] [--out DIR] [--size N]

The question sets come from benchmarks/questions.py (its docstring gives the method). Every
MedQuAD query, and the same queries with one typo, goes once to the app over HTTP (gunicorn as the
README serves it, 2 workers) and once to FTS5 in-process (a plain OR of the words without a short
stop-word list, bm25 with the app's field weights, the top 10 with a snippet and the count),
interleaved query by query. No query repeats, so no result cache answers: latency is that of
distinct queries. Clinic queries run against both on the bundled pack. Prints a Markdown report,
writes OUT/results.json and the marked relevance section of benchmarks/README.md.
"""

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import medquad  # noqa: E402
from benchmarks.common import ROOT, Server, row, write_readme_section  # noqa: E402
from benchmarks.fts5 import fts5_build, fts5_or_query, fts5_search  # noqa: E402
from benchmarks.questions import CLINIC, SEED, SIZE, medquad_queries, typo_variant  # noqa: E402
from benchmarks.search import app_search, machine, percentile  # noqa: E402

START, END = "<!-- relevance-results:start -->", "<!-- relevance-results:end -->"
TARGETS = {"recall": 0.99, "mrr_margin": 0.02, "typo_recall": 0.95, "p50": 1.0, "p95": 1.5}


def rank(slugs: list[str], relevant) -> int:
    """1-based rank of the first relevant slug in the top 10, 0 if none."""
    return next((i for i, slug in enumerate(slugs[:10], 1) if slug in relevant), 0)


def scores(ranks: list[int]) -> dict:
    n = len(ranks)
    return {
        "n": n,
        "recall@10": sum(1 for r in ranks if r) / n if n else 0.0,
        "mrr@10": sum(1 / r for r in ranks if r) / n if n else 0.0,
        "top3": sum(1 for r in ranks if 0 < r <= 3) / n if n else 0.0,
    }


def run_medquad(server_url: str, db, sets: dict) -> dict:
    """Per set and engine: ranks and misses; per engine: the latency of every query (ms)."""
    engines = {
        "app": lambda q: app_search(server_url, q),
        "fts5": lambda q: fts5_search(db, q, fts5_or_query),
    }
    out = {"sets": {}, "latency": {name: [] for name in engines}, "errors": defaultdict(list)}
    for set_name, queries in sets.items():
        ranks = {name: [] for name in engines}
        shapes = {name: defaultdict(list) for name in engines}
        misses = {name: [] for name in engines}
        for query in queries:
            for name, search in engines.items():  # interleaved: both see the same machine
                elapsed, status, slugs, _ = search(query["q"])
                out["latency"][name].append(elapsed * 1000)
                if status != 200:
                    out["errors"][name].append({"q": query["q"], "status": status})
                r = rank(slugs, set(query["relevant"]))
                ranks[name].append(r)
                shapes[name][query["shape"]].append(r)
                if not r:
                    misses[name].append(query["q"])
        out["sets"][set_name] = {
            name: {
                **scores(ranks[name]),
                "shapes": {s: scores(v) for s, v in sorted(shapes[name].items())},
                "misses": misses[name],
            }
            for name in engines
        }
    return out


def run_clinic() -> dict:
    """The clinic queries against the app (in-process: its own test client, the one request
    path) and FTS5, on the bundled content pack."""
    from api import create_app
    from api.content.loader import load_store

    with tempfile.TemporaryDirectory() as index_dir:
        app = create_app({"INDEX_DIR": index_dir, "ACCESS_LOG": False})
        client = app.test_client()
        db, _ = fts5_build(load_store(app.config["CONTENT_DIR"]))
        ranks, found = {"app": [], "fts5": []}, []
        for q, expected in CLINIC:
            body = client.get("/v1/search", query_string={"q": q}).get_json()
            app_slugs = [item["slug"] for item in body["items"]]
            fts_slugs = fts5_search(db, q, fts5_or_query)[2]
            ranks["app"].append(rank(app_slugs, set(expected)))
            ranks["fts5"].append(rank(fts_slugs, set(expected)))
            found.append({"q": q, "expected": expected, "app": app_slugs[:3]})
    return {name: scores(r) for name, r in ranks.items()} | {"queries": found}


def latency_stats(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95)}


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**MISS**"


def report(r: dict) -> str:
    m, med, sets = r["machine"], r["medquad"], r["medquad"]["sets"]
    main, typo = sets["questions"], sets["one typo"]
    app_l, fts_l = (latency_stats(med["latency"][name]) for name in ("app", "fts5"))
    p50, p95 = app_l["p50"] / fts_l["p50"], app_l["p95"] / fts_l["p95"]
    r["ratios"] = {"p50": p50, "p95": p95}
    load = "/".join(f"{x:.2f}" for x in m["load"])
    lines = [
        f"Run {m['date']} on {m['cpu']}, {m['cores']} cores (load average at start {load}); "
        f"Python {m['python']}, SQLite {m['sqlite']}, Whoosh {m['whoosh']}. Corpus: "
        f"{r['documents']} MedQuAD pages; {main['app']['n']} questions (seed {SEED}) and "
        f"{typo['app']['n']} one-typo variants, each asked once.",
        "",
        row("metric", "app", "FTS5 (OR)", "target", ""),
        "|---|---|---|---|---|",
    ]
    targets = [
        ("right page in the top 10 (recall@10)", main, "recall@10", "≥ 0.99",
         main["app"]["recall@10"] >= TARGETS["recall"]),
        ("MRR@10", main, "mrr@10", f"≥ FTS5 + {TARGETS['mrr_margin']}",
         main["app"]["mrr@10"] >= main["fts5"]["mrr@10"] + TARGETS["mrr_margin"]),
        ("one typo in the name's longest word: recall@10", typo, "recall@10", "≥ 0.95",
         typo["app"]["recall@10"] >= TARGETS["typo_recall"]),
        ("one typo: MRR@10", typo, "mrr@10", "–", None),
    ]  # fmt: skip
    for label, data, key, target, ok in targets:
        cells = (f"{data['app'][key]:.4f}", f"{data['fts5'][key]:.4f}", target)
        lines.append(row(label, *cells, "report only" if ok is None else verdict(ok)))
    lines += [
        row(
            "latency p50, distinct queries (ms)",
            f"{app_l['p50']:.2f}",
            f"{fts_l['p50']:.2f}",
            "≤ 1.0 × FTS5",
            f"{p50:.2f} × {verdict(p50 <= TARGETS['p50'])}",
        ),
        row(
            "latency p95, distinct queries (ms)",
            f"{app_l['p95']:.2f}",
            f"{fts_l['p95']:.2f}",
            "≤ 1.5 × FTS5",
            f"{p95:.2f} × {verdict(p95 <= TARGETS['p95'])}",
        ),
        "",
        "**By shape** (questions set; recall@10 / MRR@10):",
        "",
        row("shape", "n", "app", "FTS5"),
        "|---|---|---|---|",
    ]
    for shape, a in main["app"]["shapes"].items():
        f = main["fts5"]["shapes"][shape]
        lines.append(
            row(
                shape,
                a["n"],
                f"{a['recall@10']:.3f} / {a['mrr@10']:.3f}",
                f"{f['recall@10']:.3f} / {f['mrr@10']:.3f}",
            )
        )
    c = r["clinic"]
    lines += [
        "",
        f"**Clinic pack** ({c['app']['n']} patient queries, `benchmarks/questions.CLINIC`; also "
        "run as tests, `tests/test_search_clinic.py`): expected page in the top 3: app "
        f"{c['app']['top3']:.3f}, FTS5 {c['fts5']['top3']:.3f}; MRR@10: app "
        f"{c['app']['mrr@10']:.3f}, FTS5 {c['fts5']['mrr@10']:.3f}.",
        "",
    ]
    errors = {name: len(v) for name, v in med["errors"].items()}
    missed = main["app"]["misses"] + typo["app"]["misses"]
    shown = "; ".join(missed[:12]) + (" …" if len(missed) > 12 else "")
    lines += [
        f"Errors: {errors or 'none'}. App queries with no relevant page in the top 10: "
        f"{len(missed)} ({shown or 'none'}).",
        "",
        "Latency: the app over HTTP (2 sync gunicorn workers, a new connection per request, "
        "timed from the request to the decoded body by `http.client`, so it includes the HTTP "
        "round trip) and FTS5 in-process, interleaved query by query; every query distinct, so "
        "no response or search-page cache answers. Relevant pages: those whose focus is the "
        "query's topic (or, for a synonym, whose focus or also-known-as name it is).",
    ]
    return "\n".join(lines) + "\n"


INTRO = """## Relevance: `.venv/bin/python benchmarks/relevance.py [--size N]`

Questions as people type them (`benchmarks/questions.py`: MedQuAD's own question wordings,
everyday questions, keywords, synonyms, long names and misspellings, generated from the corpus with
a fixed seed; plus 30+ patient queries over the clinic pack), the app beside SQLite FTS5 in one
run. Raw numbers: `benchmarks/out/relevance/results.json`.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=medquad.DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "relevance")
    parser.add_argument("--size", type=int, default=SIZE, help="MedQuAD questions (≥ 1000)")
    args = parser.parse_args()
    out, content = args.out.resolve(), args.out.resolve() / "content"
    out.mkdir(parents=True, exist_ok=True)
    medquad.main([str(content), "--source", str(args.source)])
    from api.content.loader import load_store

    r = {"machine": machine()}
    questions = medquad_queries(args.source, args.size)
    sets = {"questions": questions, "one typo": typo_variant(questions)}
    seen = set()
    for name in sets:  # every query asked once over the whole run
        sets[name] = [q for q in sets[name] if not (q["q"] in seen or seen.add(q["q"]))]
    print("clinic…", file=sys.stderr)
    r["clinic"] = run_clinic()
    print("FTS5 build…", file=sys.stderr)
    store = load_store(content)
    r["documents"] = store.count()
    db, _ = fts5_build(store)
    del store
    log = out / "gunicorn.log"
    log.unlink(missing_ok=True)
    print("queries…", file=sys.stderr)
    with Server("wsgi:app", log, CONTENT_DIR=str(content), INDEX_DIR=str(out / "index")) as server:
        server.wait_ready("/v1/site", timeout=600)  # ready without warming any search cache
        r["medquad"] = run_medquad(server.url, db, sets)
    section = report(r)
    (out / "results.json").write_text(json.dumps(r, indent=2, default=sorted))
    write_readme_section(START, END, INTRO + "\n" + section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
