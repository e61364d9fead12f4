"""Snippets with matched words in <mark>, everything else HTML-escaped.

The backend reports the surface words that match the query's stems ("treatments" → treatment,
treatments, treated…). A match is one of them, case-insensitively, between non-word characters,
the leftmost first and the longest at one place. Matches are found with str.find on a
lower-cased copy, a C scan several times faster than a regular expression over the same bodies
and without compiling one per query; that gives the regular expression's matches (`marker`;
tests compare the two) whenever lower-casing keeps the text's length and neither text nor words
hold a character the regular expression matches case-insensitively by a rule of its own
(re._casefix: "ſ" and "s", "K" and "k"…), which is nearly all text; other text uses the
regular expression. Body snippets stop at the second one, and only the hits of the returned page
are highlighted, so the cost is bounded by per_page.
"""

import re
from functools import lru_cache
from heapq import heapify, heappop, heapreplace
from html import escape

SNIPPET_CHARS = 160
SNIPPETS = 2


# A compiled pattern of a page's matched words is ~4-9 KB (10-30 words): 128 of them ≈ 1 MB
# (1,024 grew each worker by ~9 MB under distinct searches). Finished pages are cached apart.
@lru_cache(maxsize=128)
def marker(words: frozenset[str]) -> re.Pattern | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


class _Regex:
    def __init__(self, text: str, pattern: re.Pattern):
        self.text, self.pattern = text, pattern

    def spans(self, start: int, end: int):
        return (match.span() for match in self.pattern.finditer(self.text, start, end))


# Characters the regular expression matches case-insensitively beyond their lower-case form
# ("ı" and "i", "ſ" and "s", "ς" and "σ"…): the non-ASCII members of re's own table (private to
# CPython; without it, every non-ASCII character counts as special).
try:
    from re._casefix import _EXTRA_CASES

    _EQUIVALENT = set(_EXTRA_CASES).union(*_EXTRA_CASES.values())
    _SPECIAL = re.compile("[" + re.escape("".join(chr(c) for c in _EQUIVALENT if c > 127)) + "]")
except ImportError:  # pragma: no cover
    _SPECIAL = re.compile("[^\x00-\x7f]")


class _Lowered:
    """The same matches as `marker`'s expression, by str.find in a lower-cased copy (see the
    module's docstring for when the two agree)."""

    def __init__(self, text: str, low: str, words: tuple[str, ...]):
        self.text, self.low = text, low  # the same length: offsets in one are offsets in the other
        self.words = words

    def spans(self, start: int, end: int):
        """Matches in [start, end) as finditer yields them: left to right, the longest at one
        place, never overlapping. Each word's next occurrence waits in a heap, so a caller that
        stops early (two snippets) scans no further than it needs. A match needs a non-word
        character (what \\w does not match: not alphanumeric, not "_") on each side."""
        text, find, heap = self.text, self.low.find, []
        for word in self.words:
            if (i := find(word, start, end)) != -1:
                heap.append((i, -len(word), word))
        heapify(heap)
        cursor = start
        while heap:
            i, negative, word = heap[0]
            following = find(word, i + 1, end)
            if following == -1:
                heappop(heap)
            else:
                heapreplace(heap, (following, negative, word))
            after = i - negative
            if i < cursor:
                continue
            if i > 0 and ((c := text[i - 1]).isalnum() or c == "_"):
                continue
            if after < end and ((c := text[after]).isalnum() or c == "_"):
                continue
            yield i, after
            cursor = after


def _finder(text: str, words: frozenset[str]):
    lowered = _lowered_words(words)
    if lowered is not None:
        if text.isascii():  # nearly all text: lower-casing keeps its length, nothing is special
            return _Lowered(text, text.lower(), tuple(w for w in lowered if w.isascii()))
        low = text.lower()
        if len(low) == len(text) and not _SPECIAL.search(text):
            return _Lowered(text, low, lowered)
    return _Regex(text, marker(words))


@lru_cache(maxsize=1024)
def _lowered_words(words: frozenset[str]) -> tuple[str, ...] | None:
    """The words lower-cased, or None when one of them needs the regular expression."""
    words = tuple(filter(None, words))
    lowered = tuple(w.lower() for w in words)
    if any(len(a) != len(b) for a, b in zip(lowered, words, strict=True)):
        return None
    return None if any(map(_SPECIAL.search, words)) else lowered


_HTML = re.compile("[&<>]")  # what escaping changes outside the marks (quote=False)


def _render(text: str, finder, start: int, end: int, more=(False, False)) -> str:
    """The window [start, end) of `text`, marked and escaped; "…" where text is left out
    before or after it (`more`: whether text outside `text` itself comes before, after)."""
    # Most windows have nothing to escape: their pieces are then sliced as they are, a fraction
    # of the cost of escaping each piece (matched words may hold quotes: always escaped).
    plain = _HTML.search(text, start, end) is None
    parts, cursor = [], start
    for a, b in finder.spans(start, end):
        before = text[cursor:a]
        parts += (before if plain else escape(before, quote=False), "<mark>")
        parts += (escape(text[a:b]), "</mark>")
        cursor = b
    rest = text[cursor:end]
    parts.append(rest if plain else escape(rest, quote=False))
    prefix = "…" if start > 0 or more[0] else ""
    suffix = "…" if end < len(text) or more[1] else ""
    return prefix + "".join(parts).strip() + suffix


def snippets(text: str, words: frozenset[str], limit: int = SNIPPETS, more=(False, False)):
    """Up to `limit` windows of about SNIPPET_CHARS around matches, in document order (`more`:
    see _render)."""
    finder = _finder(text, words)
    found, covered_until = [], -1
    for a, _ in finder.spans(0, len(text)):
        if a < covered_until:
            continue
        start = max(0, a - SNIPPET_CHARS // 3)
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text) and " " in text[a:end]:
            end = text.rfind(" ", a, end)
        found.append(_render(text, finder, start, end, more))
        covered_until = end
        if len(found) == limit:
            break
    return found


def highlight_entry(entry, words: frozenset[str]) -> list[dict]:
    """Highlights for one hit: title and summary whole, body as short snippets (a snippet never
    spans two parts of the body)."""
    if not words:
        return []
    result = []
    for field, text in (("title", entry.title), ("summary", entry.summary)):
        rendered = _render(text, _finder(text, words), 0, len(text))
        if "<mark>" in rendered:
            result.append({"field": field, "snippet": rendered})
    # a part at a time: most snippets are in the first parts, so the rest is never copied or
    # lowered; "…" marks the parts before and after a snippet's own
    found, parts = [], entry.body.text_parts()
    part, first = next(parts, None), True
    while part is not None and len(found) < SNIPPETS:
        following = next(parts, None)  # one part ahead: is there text after this one?
        more = (not first, following is not None)
        found += snippets(part.replace("\n\n", " "), words, SNIPPETS - len(found), more)
        part, first = following, False
    result += ({"field": "body", "snippet": snippet} for snippet in found)
    return result
