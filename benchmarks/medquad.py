"""Convert the MedQuAD corpus into this project's content format (one condition page a document).

    python benchmarks/medquad.py OUT_DIR [--source PATH] [--limit N]

then serve it with CONTENT_DIR=OUT_DIR. See ../shared/data/medquad/README.md for the record format.
"""

import argparse
import json
import re
import sys
import time
from itertools import islice
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent  # the repository
DEFAULT_SOURCE = (ROOT / "../shared/data/medquad/documents.jsonl").resolve()
PUBLISHED = "2019-01-01"  # fixed, so that runs are deterministic
SUMMARY_MAX = 300
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Never fold YAML lines: a folded line that is just '---' would end the front matter early.
_DUMP = {"sort_keys": False, "allow_unicode": True, "width": 1 << 30}

SITE = {
    "name": "MedQuAD benchmark corpus",
    "base_url": "https://medquad.example",
    "description": "Health documents from NIH websites, converted from MedQuAD for benchmarks "
    "and tests of loading, indexing and search.",
    "calls_to_action": [],
    "disclaimer": "Benchmark data only. This is not medical advice.",
    "licence": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "attribution": 'MedQuAD, by Asma Ben Abacha and Dina Demner-Fushman, "A Question-Entailment '
    'Approach to Question Answering", BMC Bioinformatics 20:511 (2019), licensed under CC BY 4.0. '
    "Converted from XML to JSON Lines and then to Markdown pages; question texts removed.",
}


def _slugify(text: str) -> str:
    return _NON_SLUG.sub("-", text.lower()).strip("-")


def slug_for(doc_id: str) -> str:
    """`5_NIDDK_QA/0000001` → `5-niddk-qa-0000001`."""
    return _slugify(doc_id) or "document"


def numbered(bases: list[str]) -> list[str]:
    """Repeats of a name get `-2`, `-3`, … skipping any name that is used elsewhere in the list."""
    reserved, taken, names = set(bases), set(), []
    for base in bases:
        name, number = base, 1
        while name in taken or (name != base and name in reserved):
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names.append(name)
    return names


def summarise(text: str, limit: int = SUMMARY_MAX) -> str:
    """Whitespace collapsed; cut at a word boundary with '…' so the result is ≤ limit chars."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def markdown_text(text: str) -> str:
    """Section text as Markdown: LF line endings, each line's spaces collapsed (the source's
    indentation would make code blocks), and no line that Markdown would read as a heading."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    text = re.sub(r"^([-*+])\n(?=\S)", r"\1 ", text, flags=re.M)  # bullet whose item is below
    return re.sub(r"^(?=#|=+$|-+$)", "\\\\", text, flags=re.M)  # '#', setext underline: escape


def _heading(qtype: str) -> str:
    heading = " ".join(qtype.replace("{", " ").replace("}", " ").split()) or "Section"
    return heading[:1].upper() + heading[1:]


def _names(doc: dict) -> tuple[str, list[str]]:
    name = (doc.get("focus") or "").strip() or doc["id"]
    seen, aliases = {name.casefold()}, []
    for synonym in doc.get("synonyms") or ():
        synonym = (synonym or "").strip()
        if synonym and synonym.casefold() not in seen:
            seen.add(synonym.casefold())
            aliases.append(synonym)
    return name, aliases


def render_page(doc: dict, slug: str) -> str:
    """The condition page (front matter + Markdown body) for one MedQuAD document."""
    name, aliases = _names(doc)
    sections = doc.get("sections") or []
    first = next((s["text"] for s in sections if (s.get("text") or "").strip()), "")
    front = {
        "slug": slug,
        "status": "published",
        "published": PUBLISHED,
        "name": name,
        "also_known_as": aliases,
        "summary": summarise(first) or summarise(name),
        "tags": [],
        "review": {"status": "not-reviewed"},
    }
    qtypes = [section.get("qtype") or "" for section in sections]
    keys = numbered([_slugify(qtype) or "section" for qtype in qtypes])
    parts = [
        f"## {_heading(qtype)} {{#{key}}}\n\n{markdown_text(section.get('text') or '')}"
        for qtype, key, section in zip(qtypes, keys, sections, strict=True)
    ]
    return f"---\n{yaml.safe_dump(front, **_DUMP)}---\n\n" + "\n\n".join(parts).rstrip() + "\n"


def convert(out_dir: Path, source: Path = DEFAULT_SOURCE, limit: int | None = None) -> int:
    with source.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in islice((ln for ln in handle if ln.strip()), limit)]
    conditions = out_dir / "conditions"
    for sub in ("conditions", "articles", "treatments"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    for old in conditions.glob("*.md"):
        old.unlink()
    (out_dir / "site.yaml").write_text(yaml.safe_dump(SITE, **_DUMP), encoding="utf-8")
    (out_dir / "tags.yaml").write_text("[]\n", encoding="utf-8")
    slugs = numbered([slug_for(doc["id"]) for doc in docs])  # the corpus repeats a few ids
    for doc, slug in zip(docs, slugs, strict=True):
        (conditions / f"{slug}.md").write_text(render_page(doc, slug), encoding="utf-8")
    return len(docs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="content directory to (re)write")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="documents.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="convert only the first N")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"source not found: {args.source}")
    started = time.perf_counter()
    count = convert(args.out_dir, args.source, args.limit)
    elapsed = time.perf_counter() - started
    print(f"wrote {count} condition pages to {args.out_dir} in {elapsed:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
