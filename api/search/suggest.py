"""Autocomplete over titles and also-known-as names: a sorted table searched with bisect.

Every name is stored once per word position ("complex regional pain syndrome", "regional pain
syndrome", …), so a prefix of the whole name or of any later word is one binary search away:
cheap enough to call on every keystroke.
"""

from bisect import bisect_left
from dataclasses import dataclass

from .query import normalize

SCAN_LIMIT = 2000  # candidates examined for one prefix; bounds the cost of one-letter prefixes


@dataclass(frozen=True)
class Suggestion:
    text: str  # the title or also-known-as name that matched
    type: str
    slug: str


class PrefixTable:
    def __init__(self, names):
        """`names`: (name, type, slug, is_title) for every title and also-known-as name."""
        rows = []
        for name, kind, slug, is_title in names:
            words = normalize(name).split()
            for position in range(len(words)):
                key = " ".join(words[position:])
                rows.append((key, position, len(name), not is_title, name, kind, slug))
        rows.sort()
        # Kept as columns, one list per field: read back from the index, one tuple per row was
        # most of the table's load time at every start; a suggestion builds the few it looks at.
        columns = tuple(map(list, zip(*rows, strict=True))) or ([],) * 7
        self.keys, self.columns = columns[0], columns[1:]

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Names that start with `prefix`, then names with a later word starting with it;
        shorter names and titles first within each group, one suggestion per entry."""
        prefix = " ".join(normalize(prefix).split())
        if not prefix:
            return []
        start = bisect_left(self.keys, prefix)
        end = start
        for key in self.keys[start : start + SCAN_LIMIT]:
            if not key.startswith(prefix):
                break
            end += 1
        positions, lengths, aliases, names, kinds, slugs = (c[start:end] for c in self.columns)
        matches = sorted(
            zip(positions, lengths, aliases, names, kinds, slugs, strict=True),
            key=lambda r: (r[0] > 0, r[1], r[2], r[3].casefold()),
        )
        seen, found = set(), []
        for _, _, _, name, kind, slug in matches:
            if (kind, slug) in seen:
                continue
            seen.add((kind, slug))
            found.append(Suggestion(name, kind, slug))
            if len(found) == limit:
                break
        return found
