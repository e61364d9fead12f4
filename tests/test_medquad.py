"""benchmarks/medquad.py: the MedQuAD corpus converted into a content pack the loader accepts."""

import json
import re
from collections import Counter
from itertools import islice

import pytest

from api.content.files import split_front_matter
from api.content.loader import load_store
from benchmarks.medquad import DEFAULT_SOURCE, main, markdown_text, numbered, slug_for, summarise

FULL_CORPUS_SIZE = 5486


@pytest.fixture
def corpus():
    if not DEFAULT_SOURCE.is_file():
        pytest.skip(f"MedQuAD corpus not found at {DEFAULT_SOURCE} (see ../shared/data/medquad/)")
    return DEFAULT_SOURCE


def _rule(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _source(limit: int | None = None) -> list[dict]:
    with DEFAULT_SOURCE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in islice(handle, limit) if line.strip()]


def _expected_slugs(docs: list[dict]) -> list[str]:
    """The slug rule; the corpus repeats a few ids, whose later documents get -2, -3, …"""
    seen: Counter = Counter()
    slugs = []
    for doc in docs:
        base = _rule(doc["id"])
        seen[base] += 1
        slugs.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return slugs


def _section_keys(doc: dict) -> list[str]:
    seen: Counter = Counter()
    keys = []
    for section in doc["sections"]:
        base = _rule(section["qtype"]) or "section"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return keys


@pytest.mark.parametrize(
    ("doc_id", "slug"),
    [
        ("5_NIDDK_QA/0000001", "5-niddk-qa-0000001"),
        ("1_CancerGov_QA/0000001_1", "1-cancergov-qa-0000001-1"),
        ("8_NHLBI_QA_XML//__0000095", "8-nhlbi-qa-xml-0000095"),
        ("__GARD: Thing (v2)?!", "gard-thing-v2"),
        ("ABC", "abc"),
    ],
)
def test_slug_for(doc_id, slug):
    assert slug_for(doc_id) == slug


def test_repeated_names_are_numbered():
    assert numbered(["a", "b", "a", "a"]) == ["a", "b", "a-2", "a-3"]
    assert numbered(["a", "a", "a-2"]) == ["a", "a-3", "a-2"]  # never takes a name in use


def test_summary_is_cut_at_a_word_boundary():
    text = "word " * 100
    summary = summarise(text)
    assert len(summary) <= 300 and summary.endswith("word…")
    assert summarise("  short\n  text ") == "short text"
    assert len(summarise("x" * 400)) == 300


def test_section_text_never_makes_headings_or_code_blocks():
    text = "Intro\r\n                    indented\n\nolder.\n    -  \nPermethrin\nTitle\n---\n# no"
    assert markdown_text(text) == "Intro\nindented\n\nolder.\n- Permethrin\nTitle\n\\---\n\\# no"


def test_first_300_documents_load(corpus, tmp_path, capsys):
    out = tmp_path / "medquad"
    assert main([str(out), "--limit", "300"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote 300 condition pages to {out} in ")
    docs = _source(300)
    slugs = _expected_slugs(docs)
    store = load_store(out)
    conditions = store.public["condition"]
    assert sorted(conditions) == sorted(slugs)
    assert store.count() == 300 and store.site.name == "MedQuAD benchmark corpus"
    for doc, slug in zip(docs, slugs, strict=True):
        entry = conditions[slug]
        assert entry.source == f"conditions/{slug}.md"
        assert 0 < len(entry.summary) <= 300
        assert [section.key for section in entry.body.sections] == _section_keys(doc)
        assert "<pre>" not in entry.body.html  # indented source text is not a code block

    doc = next(d for d in docs if d["id"] == "1_CancerGov_QA/0000001_1")
    entry = conditions["1-cancergov-qa-0000001-1"]
    assert entry.title == doc["focus"].strip() == "Adult Acute Lymphoblastic Leukemia"
    assert entry.body.sections[0].title == "Information"

    with_synonyms = next(d for d in docs if d["synonyms"])
    entry = conditions[slugs[docs.index(with_synonyms)]]
    seen, aliases = {entry.title.casefold()}, []
    for synonym in (s.strip() for s in with_synonyms["synonyms"]):
        if synonym and synonym.casefold() not in seen:
            seen.add(synonym.casefold())
            aliases.append(synonym)
    assert list(entry.also_known_as) == aliases and aliases

    repeated = [slug for slug in slugs if slug.startswith("1-cancergov-qa-0000013-2")]
    assert len(repeated) == len(set(repeated)) > 1  # a repeated id still gives one page each


def test_rerun_removes_old_pages(corpus, tmp_path, capsys):
    out = tmp_path / "medquad"
    main([str(out), "--limit", "20"])
    main([str(out), "--limit", "5"])
    capsys.readouterr()
    assert len(list((out / "conditions").glob("*.md"))) == 5
    page = (out / "conditions" / f"{slug_for(_source(1)[0]['id'])}.md").read_text()
    front, body, _ = split_front_matter(page, "page")
    assert front.startswith("slug: ") and body.startswith("\n## ")


def test_whole_corpus_loads(corpus, tmp_path, capsys):
    """All 5,486 documents: about 6-8 s to convert and 15-20 s to load on a 2-CPU machine."""
    out = tmp_path / "medquad"
    main([str(out)])
    capsys.readouterr()
    store = load_store(out)
    assert len(store.public["condition"]) == store.count() == FULL_CORPUS_SIZE


def test_question_set_is_deterministic_distinct_and_varied(corpus):
    """benchmarks/questions.py: ≥ 1,000 distinct queries in every shape, the same every run."""
    from benchmarks.questions import SHAPES, medquad_queries, typo_variant

    first, again = medquad_queries(corpus), medquad_queries(corpus)
    assert first == again and len(first) >= 1000
    assert len({q["q"].casefold() for q in first}) == len(first)
    assert {q["shape"] for q in first} == set(SHAPES)
    slugs = set(_expected_slugs(_source()))
    assert all(q["relevant"] and set(q["relevant"]) <= slugs for q in first)
    typos = typo_variant(first)
    originals = {q["q"] for q in first}
    assert len(typos) > 800 and not originals & {t["q"] for t in typos}


def test_one_typo_is_one_edit_in_the_longest_word():
    import random

    from benchmarks.questions import typo

    rng = random.Random(1)
    for _ in range(200):
        wrong = typo("Adult Acute Lymphoblastic Leukemia", rng)
        assert wrong.startswith("Adult Acute ") and wrong.endswith(" Leukemia")
        word = wrong.split()[2]
        assert word != "Lymphoblastic" and word[0] == "L"
        assert abs(len(word) - len("Lymphoblastic")) <= 1
    assert typo("Flu", rng) is None  # no word of 6+ letters
