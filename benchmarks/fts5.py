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


def fts5_search(db, q: str) -> tuple[float, int, list[str], int | None]:
    """(seconds, 200 or 0 on error, hit slugs, total): the ranked page and the count."""
    match = fts5_query(q)
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
