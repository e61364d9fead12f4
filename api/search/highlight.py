"""Snippets with matched words in <mark>, everything else HTML-escaped.

Works on the store's plain text with the index's own analyzer (words are stemmed and compared
with the query's stems), so "treatments" highlights "treatment" exactly as it matched. Only the
hits of the returned page are highlighted, so the cost is bounded by per_page.
"""

import re
from html import escape

from .query import stem

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SNIPPET_CHARS = 160


def _marked(text: str, stems: frozenset[str]) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text) if stem(m.group(0).casefold()) in stems]


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    parts, cursor = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts += [escape(text[cursor:a], quote=False), "<mark>", escape(text[a:b]), "</mark>"]
        cursor = b
    parts.append(escape(text[cursor:end], quote=False))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts).strip() + suffix


def snippets(text: str, stems: frozenset[str], limit: int = 2) -> list[str]:
    """Up to `limit` windows of about SNIPPET_CHARS around matches, in document order."""
    spans = _marked(text, stems)
    found, covered_until = [], -1
    for a, _ in spans:
        if a < covered_until:
            continue
        start = max(0, a - SNIPPET_CHARS // 3)
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text):
            end = text.rfind(" ", start, end) if " " in text[start:end] else end
        found.append(_render(text, spans, start, end))
        covered_until = end
        if len(found) == limit:
            break
    return found


def highlight_entry(entry, stems: frozenset[str]) -> list[dict]:
    """Highlights for one hit: title and summary whole, body as short snippets."""
    result = []
    for field, text in (("title", entry.title), ("summary", entry.summary)):
        spans = _marked(text, stems)
        if spans:
            result.append({"field": field, "snippet": _render(text, spans, 0, len(text))})
    for snippet in snippets(entry.body.text.replace("\n\n", " "), stems):
        result.append({"field": "body", "snippet": snippet})
    return result
