"""Result quality for the search benchmark: query sets generated from MedQuAD (a condition's name
plus an aspect, misspelled variants) and hand-written ones, scored as hit-in-top-10 and MRR."""

import json
import random
import re
from pathlib import Path

from benchmarks import medquad

# "query: accepted foci (|-separated, case-insensitive)": lay words, synonyms and abbreviations
HAND_WRITTEN = [
    tuple(item.split(": "))
    for item in (
        "herpes zoster: shingles; hypertension: high blood pressure; crps: complex regional "
        "pain syndrome; reflex sympathetic dystrophy: complex regional pain syndrome; chronic "
        "obstructive pulmonary disease: copd; myocardial infarction: heart attack; ibs: "
        "irritable bowel syndrome; gluten intolerance: celiac disease; shaking palsy: "
        "parkinson's disease; kidney stone: kidney stones; iron poor blood: anemia; gouty "
        "arthritis: gout; trouble sleeping: insomnia; systemic lupus erythematosus: lupus|"
        "systemic lupus erythematosus; cloudy lens eye: cataract; sickle cell anemia: sickle "
        "cell disease|sickle cell anemia"
    ).split("; ")
]
ASPECTS = {"symptoms": "symptoms", "causes": "causes", "treatment": "treatment"}
ASPECTS |= {"prevention": "prevention", "outlook": "outlook", "exams and tests": "tests"}
ASPECTS |= {"inheritance": "inherited"}


def misspell(focus: str) -> str | None:
    """Swap two adjacent letters in the middle of the longest word (of 6+ letters)."""
    word = max(re.findall(r"[A-Za-z]+", focus), key=len, default="")
    middle = len(word) // 2 - 1
    typo = word[:middle] + word[middle + 1 : middle + 2] + word[middle] + word[middle + 2 :]
    return focus.replace(word, typo, 1) if len(word) >= 6 and typo != word else None


def quality_sets(source: Path) -> dict:
    """{set name: [(query, relevant slugs)]}, generated deterministically from the corpus."""
    with source.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    slugs = medquad.numbered([medquad.slug_for(doc["id"]) for doc in docs])  # as converted
    foci: dict[str, dict] = {}
    for doc, slug in zip(docs, slugs, strict=True):
        focus = (doc.get("focus") or "").strip()
        entry = foci.setdefault(focus.casefold(), {"focus": focus, "slugs": set(), "qtypes": set()})
        entry["slugs"].add(slug)
        entry["qtypes"] |= {s.get("qtype") for s in doc.get("sections") or ()} & ASPECTS.keys()
    eligible = sorted(k for k, e in foci.items() if 1 <= len(k.split()) <= 4 and e["qtypes"])
    rng = random.Random(42)
    named, typos = [], []
    for key in rng.sample(eligible, min(150, len(eligible))):
        entry = foci[key]
        aspect = ASPECTS[rng.choice(sorted(entry["qtypes"]))]
        named.append((f"{entry['focus']} {aspect}", entry["slugs"]))
        if typo := misspell(entry["focus"]):
            typos.append((f"{typo} {aspect}", entry["slugs"]))
    hand = [
        (q, set().union(*(foci[f]["slugs"] for f in names.split("|")))) for q, names in HAND_WRITTEN
    ]
    return {"name + aspect": named, "misspelled": typos, "hand-written": hand}


def quality(sets: dict, search) -> dict:
    """hit@10 and MRR of `search` per set; the queries missed and those answered with an error."""
    result = {}
    for name, queries in sets.items():
        ranks, errors = {}, []
        for q, relevant in queries:
            _, status, slugs, _ = search(q)
            if status != 200:
                errors.append({"q": q, "status": status})
            ranks[q] = next((i for i, s in enumerate(slugs[:10], 1) if s in relevant), 0)
        n, misses = len(queries), [q for q, rank in ranks.items() if not rank]
        mrr = sum(1 / rank for rank in ranks.values() if rank) / n
        result[name] = {"n": n, "hit@10": 1 - len(misses) / n, "mrr": mrr}
        result[name] |= {"errors": errors, "misses": misses}
    return result
