"""The index format: what the build writes and the server reads, shared by both through this one
small module (and by nothing else): field names and boosts, the positions format, the schema,
the files kept beside the Whoosh index, and the schema version that names them.

Bump SCHEMA_VERSION whenever any of it (or the analysis behind it) changes: a server then builds
a new index instead of reading one it would misread.
"""

from array import array
from collections import defaultdict
from dataclasses import dataclass

from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.formats import Positions

from .query import ANALYZER, index_terms

SCHEMA_VERSION = "s11"
FIELD_BOOSTS = {"title": 4.0, "aka": 3.0, "summary": 2.0, "body": 1.0}
NAME_SEPARATOR = "\x1f"  # joins a name's terms into one key of DocTables.names and .surfaces

META_FILE = "meta.json"  # written last: marks a complete build
FREQUENCIES_FILE = "frequencies.pickle"  # frequencies.FrequencyTable
VOCABULARY_FILE = "vocabulary.json"  # vocabulary.Vocabulary
TABLES_FILE = "tables.pickle"  # DocTables
SUGGEST_FILE = "suggest.pickle"  # suggest.PrefixTable
STORE_FILE = "store.pickle"  # the rendered store of this content version (content.snapshot)
MANIFEST_FILE = "manifest.json"  # the change feed's manifest of this version (content.manifest)


class FastPositions(Positions):
    """Whoosh's Positions format, fed by `index_terms` instead of the analyzer chain: the same
    terms and positions (renumbered past stop words), at a fraction of the indexing cost.

    A value is the positions as native uint32s (so the frequency is its length / 4), where
    Whoosh writes the frequency and then pickles a list of deltas: this is encoded and decoded
    without a Python loop per position.
    """

    def encode(self, positions) -> bytes:
        return array("I", positions).tobytes()

    def decode_positions(self, value: bytes) -> list[int]:
        return array("I", value).tolist()

    def decode_frequency(self, value: bytes) -> int:
        return len(value) // 4

    def decode_weight(self, value: bytes) -> float:
        return len(value) // 4 * self.field_boost

    def word_values(self, value, analyzer, **kwargs):
        positions = defaultdict(list)
        for position, term in enumerate(index_terms(value)):
            positions[term].append(position)
        boost = self.field_boost
        for term, found in positions.items():
            yield term, len(found), len(found) * boost, self.encode(found)


def _text_field() -> TEXT:
    field = TEXT(analyzer=ANALYZER)
    field.format = FastPositions(field_boost=field.format.field_boost)
    return field


def make_schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        tags=KEYWORD(stored=True, commas=True, scorable=False),
        **{field: _text_field() for field in FIELD_BOOSTS},
    )


@dataclass
class DocTables:
    """What scoring, ranking and filtering need per document number, computed once per build
    (build.document_tables, and bulk.Written.lengths for `stats`) and saved beside the index
    (TABLES_FILE), so a worker opens the index in milliseconds."""

    stats: object  # scoring.FieldStats
    keys: dict  # docnum -> "type:slug"
    by_type: dict  # type -> docnums
    by_tag: dict  # tag -> docnums
    names: dict  # a title's or also-known-as name's query.name_terms, joined -> docnums
    surfaces: dict  # the same names' words as written (query.surface), joined -> docnums
    longest: int  # the most terms or words a name has
    short: list  # docnum -> name_terms of title, names and summary (ranking.proximity)
