"""Snippets with matched words in <mark>, everything else HTML-escaped.

The backend reports the surface words that match the query's stems ("treatments" → treatment,
treatments, treated…); they are compiled into one regular expression, so marking a document is a
C-speed scan that stops once two snippets are found. Only the hits of the returned page are
highlighted, so the cost is bounded by per_page.
"""

import re
from functools import lru_cache
from html import escape

SNIPPET_CHARS = 160
SNIPPETS = 2


@lru_cache(maxsize=1024)
def marker(words: frozenset[str]) -> re.Pattern | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _render(text: str, pattern: re.Pattern, start: int, end: int) -> str:
    parts, cursor = [], start
    for match in pattern.finditer(text, start, end):
        a, b = match.span()
        parts += [escape(text[cursor:a], quote=False), "<mark>", escape(text[a:b]), "</mark>"]
        cursor = b
    parts.append(escape(text[cursor:end], quote=False))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts).strip() + suffix


def snippets(text: str, pattern: re.Pattern, limit: int = SNIPPETS) -> list[str]:
    """Up to `limit` windows of about SNIPPET_CHARS around matches, in document order."""
    found, covered_until = [], -1
    for match in pattern.finditer(text):
        a = match.start()
        if a < covered_until:
            continue
        start = max(0, a - SNIPPET_CHARS // 3)
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text) and " " in text[a:end]:
            end = text.rfind(" ", a, end)
        found.append(_render(text, pattern, start, end))
        covered_until = end
        if len(found) == limit:
            break
    return found


def highlight_entry(entry, words: frozenset[str]) -> list[dict]:
    """Highlights for one hit: title and summary whole, body as short snippets."""
    pattern = marker(words)
    if pattern is None:
        return []
    result = []
    for field, text in (("title", entry.title), ("summary", entry.summary)):
        if pattern.search(text):
            result.append({"field": field, "snippet": _render(text, pattern, 0, len(text))})
    for snippet in snippets(entry.body.text.replace("\n\n", " "), pattern):
        result.append({"field": "body", "snippet": snippet})
    return result
