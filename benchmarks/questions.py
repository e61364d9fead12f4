"""The relevance benchmark's question sets: MedQuAD queries written the ways people type them,
generated from the corpus with a fixed seed, and patient queries over the clinic pack.

Method (MedQuAD): the documents are grouped by focus (case-insensitive); a page is relevant to a
query when its focus is the query's topic, or, for a query naming a synonym, when that synonym is
its focus or one of its also-known-as names. Foci are drawn with `random.Random(SEED)` and each
drawn focus gets one query in one shape, chosen by weight:

- a question in the wording of MedQuAD's own question types, for an aspect that focus's pages
  answer ("What are the treatments for X ?", "Who is at risk for X? ", "what research (or clinical
  trials) is being done for X ?", "Do you have information about X", "How to diagnose X ?", …);
- a question in everyday wording ("can X be cured", "my son has X, what should we expect");
- a keyword query: the name and an aspect word ("X symptoms"), or the name alone;
- the same with a synonym (also-known-as name) in place of the focus;
- a long name (five words or more) in any of the shapes above;
- a misspelled question: one typo (swap, drop, double or substitute a letter) in the name's
  longest word.

Names are lower-cased in about half the queries and the question mark is sometimes dropped, as
in a search box. Queries are distinct (a repeat is drawn again), so no query is answered from a
cache. `typo_variant` gives every query of the set with one typo in the name's longest word (6+
letters), for the typo-tolerance row.
"""

import json
import random
import re
from pathlib import Path

from benchmarks import medquad

SEED = 20261129
SIZE = 1200

# MedQuAD's question types and the wordings its own questions use ("{}" is the name)
QUESTIONS = {
    "information": ["What is (are) {} ?", "Do you have information about {}", "What is {}?"],
    "symptoms": ["What are the symptoms of {} ?", "What are the signs and symptoms of {} ?"],
    "treatment": ["What are the treatments for {} ?", "How is {} treated?"],
    "inheritance": ["Is {} inherited ?"],
    "frequency": ["How many people are affected by {} ?"],
    "genetic changes": ["What are the genetic changes related to {} ?"],
    "causes": ["What causes {} ?"],
    "exams and tests": ["How to diagnose {} ?"],
    "research": ["what research (or clinical trials) is being done for {} ?"],
    "outlook": ["What is the outlook for {} ?"],
    "susceptibility": ["Who is at risk for {}? "],
    "considerations": ["What to do for {} ?"],
    "prevention": ["How to prevent {} ?"],
    "stages": ["What are the stages of {} ?"],
    "complications": ["What are the complications of {} ?"],
}
EVERYDAY = [
    "can {} be cured",
    "is {} contagious?",
    "my son has {}, what should we expect",
    "how do you get {}",
    "what does {} do to the body",
    "is there a test for {}",
    "best treatment for {}",
    "living with {}",
    "I was just diagnosed with {} what now",
    "early signs of {} in adults",
]
ASPECT_WORDS = {
    "information": "",
    "symptoms": "symptoms",
    "treatment": "treatment",
    "inheritance": "genetic",
    "causes": "causes",
    "exams and tests": "diagnosis",
    "outlook": "prognosis",
    "prevention": "prevention",
}
SHAPES = {"question": 40, "everyday": 12, "keywords": 16, "synonym": 12, "long": 10, "typo": 10}


def load_foci(source: Path) -> dict:
    """{focus casefold: {"name", "slugs", "qtypes", "synonyms"}} over the converted pages."""
    with source.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    slugs = medquad.numbered([medquad.slug_for(doc["id"]) for doc in docs])  # as converted
    foci: dict[str, dict] = {}
    for doc, slug in zip(docs, slugs, strict=True):
        name, aliases = medquad._names(doc)
        entry = foci.setdefault(
            name.casefold(), {"name": name, "slugs": set(), "qtypes": set(), "synonyms": set()}
        )
        entry["slugs"].add(slug)
        entry["qtypes"] |= {s.get("qtype") for s in doc.get("sections") or ()} & QUESTIONS.keys()
        entry["synonyms"] |= set(aliases)
    return foci


def _names_index(foci: dict) -> dict:
    """name casefold → every slug whose focus or also-known-as name it is."""
    index: dict[str, set] = {}
    for key, entry in foci.items():
        for name in (key, *(s.casefold() for s in entry["synonyms"])):
            index.setdefault(name, set()).update(entry["slugs"])
    return index


def typo(name: str, rng: random.Random) -> str | None:
    """One typo in the longest word (6+ letters) of `name`, never at its first letter."""
    word = max(re.findall(r"[A-Za-z]+", name), key=len, default="")
    if len(word) < 6:
        return None
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "substitute"))
    if kind == "swap":
        wrong = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    elif kind == "drop":
        wrong = word[:i] + word[i + 1 :]
    elif kind == "double":
        wrong = word[:i] + word[i] + word[i:]
    else:
        letters = [c for c in "aeioulnrst" if c != word[i].lower()]
        wrong = word[:i] + rng.choice(letters) + word[i + 1 :]
    return name.replace(word, wrong, 1) if wrong != word else None


def _usable_synonym(synonym: str) -> bool:
    # a name people would type: not a bare abbreviation of 1-3 letters, not a code
    return len(synonym) >= 4 and sum(c.isalpha() for c in synonym) >= 4


def _one(entry: dict, shape: str, rng: random.Random, by_name: dict):
    name, relevant = entry["name"], entry["slugs"]
    if shape == "synonym":
        synonyms = sorted(s for s in entry["synonyms"] if _usable_synonym(s))
        if not synonyms:
            return None
        name = rng.choice(synonyms)
        relevant = by_name[name.casefold()]
        shape = rng.choice(("question", "keywords", "everyday"))
    if rng.random() < 0.5:
        name = name.lower()
    qtype = rng.choice(sorted(entry["qtypes"] or {"information"}))
    if shape in ("question", "typo", "long"):
        text = rng.choice(QUESTIONS[qtype]).format(name)
        if rng.random() < 0.3:
            text = text.rstrip(" ?")
    elif shape == "everyday":
        text = rng.choice(EVERYDAY).format(name)
    else:
        aspect = ASPECT_WORDS.get(qtype, "")
        text = f"{name} {aspect}".strip() if rng.random() < 0.75 else name
    if shape == "typo":
        wrong = typo(name, rng)
        if not wrong:
            return None
        text = text.replace(name, wrong, 1)
    return text, relevant, name


def medquad_queries(source: Path = medquad.DEFAULT_SOURCE, size: int = SIZE) -> list[dict]:
    """[{"q", "relevant": sorted slugs, "shape", "name"}]: `size` distinct queries."""
    foci = load_foci(source)
    by_name = _names_index(foci)
    rng = random.Random(SEED)
    keys = sorted(foci)
    long_keys = [k for k in keys if len(k.split()) >= 5]
    shapes, weights = zip(*SHAPES.items(), strict=True)
    queries, seen = [], set()
    while len(queries) < size:
        shape = rng.choices(shapes, weights)[0]
        key = rng.choice(long_keys if shape == "long" else keys)
        made = _one(foci[key], shape, rng, by_name)
        if not made or made[0].casefold() in seen:
            continue
        text, relevant, name = made
        seen.add(text.casefold())
        queries.append({"q": text, "relevant": sorted(relevant), "shape": shape, "name": name})
    return queries


def typo_variant(queries: list[dict]) -> list[dict]:
    """Each query (not already misspelled) with one typo in its name's longest word."""
    rng = random.Random(SEED + 1)
    out = []
    for query in queries:
        if query["shape"] == "typo":
            continue
        wrong = typo(query["name"], rng)
        if wrong:
            q = query["q"].replace(query["name"], wrong, 1)
            out.append({**query, "q": q, "shape": "one typo"})
    return out


# Patient queries over the clinic pack (content/), each with the pages a person typing it would
# be glad to land on (any of them in the top 3 passes the test). Written from the pack's slugs of
# 2026-11-29; the queries marked "later" would better land on pages the content team is adding.
CLINIC = [
    (
        "can ketamine help my depression",
        ("ketamine-infusion-therapy", "is-ketamine-infusion-therapy-right-for-me"),
    ),
    ("what happens at my first infusion", ("preparing-for-your-first-infusion",)),
    ("is esketamine the same as ketamine", ("esketamine-nasal-spray",)),
    ("crps symptoms", ("crps",)),
    (
        "natural ways to ease anxiety",
        ("anxiety", "meditation-yoga-and-tai-chi", "light-exercise", "reducing-caffeine"),
    ),
    ("opioid risks", ("opioid-pain-relievers",)),
    ("how does ketamine infusion therapy work", ("how-ketamine-infusion-therapy-works",)),
    ("spravato nasal spray", ("esketamine-nasal-spray",)),
    ("what is fibromyalgia", ("fibromyalgia",)),
    ("fibromyalgia treatment options", ("fibromyalgia",)),
    ("I can't sleep at night", ("insomnia",)),
    ("trouble falling asleep", ("insomnia",)),
    ("depression after having a baby", ("postpartum-depression",)),
    ("baby blues or postpartum depression", ("postpartum-depression",)),
    ("nightmares and flashbacks after trauma", ("ptsd",)),
    ("what is ptsd", ("ptsd",)),
    ("reflex sympathetic dystrophy", ("crps",)),
    ("complex regional pain syndrome type 1 vs type 2", ("crps-types-1-and-2", "crps")),
    ("difference between crps type 1 and type 2", ("crps-types-1-and-2",)),
    ("pain that lasts for months", ("chronic-pain-syndrome", "what-is-chronic-pain-syndrome")),
    ("what is chronic pain syndrome", ("what-is-chronic-pain-syndrome", "chronic-pain-syndrome")),
    ("ibuprofen or acetaminophen for pain", ("over-the-counter-pain-relievers",)),
    ("does cutting back on coffee help anxiety", ("reducing-caffeine",)),
    ("yoga for chronic pain", ("meditation-yoga-and-tai-chi",)),
    ("tai chi", ("meditation-yoga-and-tai-chi",)),
    ("physical therapy for crps", ("physical-therapy",)),
    ("cognitive behavioral therapy", ("talk-therapy",)),
    ("psychotherapy for depression", ("talk-therapy",)),
    ("walking exercise for fibromyalgia", ("light-exercise",)),
    ("diet and inflammation", ("healthy-eating",)),
    (
        "side effects of ketamine infusions",
        ("ketamine-infusion-therapy", "how-ketamine-infusion-therapy-works"),
    ),
    ("is ketamine safe", ("ketamine-infusion-therapy", "how-ketamine-infusion-therapy-works")),
    ("treatment resistant depression", ("treatment-resistant-depression",)),
    ("constant worry and panic", ("anxiety",)),
    ("are opioids addictive", ("opioid-pain-relievers",)),
    ("having suicidal thoughts", ("getting-help-now",)),
    ("crisis hotline", ("getting-help-now",)),
    ("is ketamine right for me", ("is-ketamine-infusion-therapy-right-for-me",)),
    ("do i need someone to drive me home after infusion", ("preparing-for-your-first-infusion",)),
    ("my antidepressants are not working", ("treatment-resistant-depression",)),
]
