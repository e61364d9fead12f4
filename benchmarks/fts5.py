"""The peer baseline of the search benchmark: SQLite FTS5 (bm25) in-process over the same
documents and fields as the app's index."""

import re
import sqlite3
import time


def fts5_build(store) -> tuple[sqlite3.Connection, float]:
    from api.search import index_documents

    started = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, aka, summary, body, "
        "tokenize='porter unicode61')"
    )
    rows = (
        (d["key"], d["title"], d["aka"], d["summary"], d["body"]) for d in index_documents(store)
    )
    db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", rows)
    db.commit()
    return db, time.perf_counter() - started


def fts5_query(q: str) -> str:
    """Plain words as quoted tokens, quoted phrases as phrases, all ANDed."""
    if q.count('"') % 2:
        q = q[: q.rfind('"')] + " " + q[q.rfind('"') + 1 :]
    parts = [p or w for p, w in re.findall(r'"([^"]*)"|([^\s"]+)', q) if (p or w).strip()]
    return " ".join('"' + part.replace('"', '""') + '"' for part in parts)


# the baseline for questions: a plain OR of the words, minus a short list of English stop words
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from has have how i in is it my of on or the "
    "to was what when where which who why with you your".split()
)


def fts5_or_query(q: str) -> str:
    """Every word (letters and digits) not a stop word, quoted, ORed."""
    words = dict.fromkeys(w for w in re.findall(r"\w+", q.lower()) if w not in STOP_WORDS)
    return " OR ".join(f'"{w}"' for w in words)


def fts5_search(db, q: str, query=fts5_query) -> tuple[float, int, list[str], int | None]:
    """(seconds, 200 or 0 on error, hit slugs, total): the ranked page and the count."""
    match = query(q)
    if not match:
        return 0.0, 200, [], 0
    started = time.perf_counter()
    try:
        rows = db.execute(
            "SELECT key, bm25(docs, 0.0, 4.0, 3.0, 2.0, 1.0) AS r, "
            "snippet(docs, 4, '<mark>', '</mark>', '…', 24) FROM docs WHERE docs MATCH ? "
            "ORDER BY r LIMIT 10",
            (match,),
        ).fetchall()
        total = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()[0]
    except sqlite3.Error:
        return time.perf_counter() - started, 0, [], None
    return time.perf_counter() - started, 200, [r[0].split(":", 1)[1] for r in rows], total
