"""search/highlight.py: the str.find matcher finds exactly what the regular expression finds,
in ASCII and in other text, and snippets mark matches while escaping everything else."""

import dataclasses
import random

from api.content.rendered import Rendered, RichText, Section
from api.search.highlight import _finder, _Regex, highlight_entry, marker, snippets

WORD_SETS = [
    frozenset({"pain"}),
    frozenset({"ketamine", "ketamin"}),
    frozenset({"treatment", "treatments", "treat", "treated"}),
    frozenset({"crps", "regional", "complex", "syndrome"}),
    frozenset({"depression", "depressive", "mood", "low"}),
    frozenset({"a_b", "e.g", "9", "don't"}),
]


def corpus(bundled_app) -> list[str]:
    store = bundled_app.extensions["content"].store
    texts = []
    for entry in store.public_entries():
        texts += [entry.title, entry.summary, entry.body.text]
    return texts + ["Pain_pain pain-pain PAIN; xpain painx _pain 9 a9 9a A_B a_b e.g. don't"]


UNUSUAL_TEXTS = [
    "Kétamine et DOULEUR; la kétamine aide. KÉTAMINE_x xkétamine ÉTAPE étape",
    "İstanbul istanbul ISTANBUL İSTANBUL; stress",  # lower-casing "İ" makes the text longer
    "ſtress STRESS stress ſTRESS; ıstanbul istanbul",  # the regular expression's equivalences
    "Kelvin \u212aetamine ketamine KETAMINE; straße STRASSE strasse; istanbul",
    "Istanbul ISTANBUL istanbul; stress STRESS; plain ASCII",
    "ΣΊΣΥΦΟΣ σίσυφος σίσυφοσ; ǅungla ǆungla Ǆungla; Ⅻ ⅻ 12; café CAFÉ",
]
UNUSUAL_WORDS = [
    frozenset({"kétamine", "étape", "café"}),
    frozenset({"istanbul", "stress", "ketamine"}),
    frozenset({"σίσυφος", "straße", "strasse", "ǆungla", "ⅻ"}),
    frozenset({"ıstanbul", "ſtress"}),  # the regular expression's own equivalences
    frozenset({"İstanbul", "Stress"}),  # lower-casing makes the first longer
]


def test_fast_matches_equal_the_regular_expressions(bundled_app):
    rng = random.Random(7)
    compared, fast_ones = 0, 0
    cases = [(text, words) for text in corpus(bundled_app) for words in WORD_SETS]
    cases += [(text, words) for text in UNUSUAL_TEXTS for words in UNUSUAL_WORDS + WORD_SETS]
    for text, words in cases:
        fast = _finder(text, words)
        fast_ones += not isinstance(fast, _Regex)
        slow = _Regex(text, marker(words))
        windows = [(0, len(text))]
        windows += [sorted(rng.sample(range(len(text) + 1), 2)) for _ in range(3)]
        for start, end in windows:
            assert list(fast.spans(start, end)) == list(slow.spans(start, end)), (words, start)
            compared += 1
    assert compared > 100 and fast_ones > len(cases) * 0.8


def test_snippets_mark_matches_and_escape_the_rest():
    text = (
        "Ketamine <b>& pain</b>. " + "filler " * 40 + "Later, pain again; painful is not pain-free."
    )
    found = snippets(text, frozenset({"pain"}))
    assert len(found) == 2
    assert found[0].startswith("Ketamine &lt;b&gt;&amp; <mark>pain</mark>&lt;/b&gt;.")
    assert "<mark>pain</mark> again" in found[1] and "painful" in found[1]
    assert "<mark>painful" not in found[1] and found[1].startswith("…")


def test_non_ascii_text_uses_the_regular_expression(bundled_app):
    text = "Douleur chronique: la kétamine aide. KÉTAMINE encore."
    found = snippets(text, frozenset({"kétamine"}))
    assert found == [
        "Douleur chronique: la <mark>kétamine</mark> aide. <mark>KÉTAMINE</mark> encore."
    ]
    entry = bundled_app.extensions["content"].store.public["condition"]["crps"]
    highlights = highlight_entry(entry, frozenset({"regional"}))
    assert {
        "field": "title",
        "snippet": "Complex <mark>regional</mark> pain syndrome",
    } in highlights


def test_marked_words_are_escaped_also_in_plain_windows():
    """A window without &, < or > is sliced as it is, but a marked word is always escaped."""
    assert snippets("I don't know", frozenset({"don't"})) == ["I <mark>don&#x27;t</mark> know"]
    assert snippets("a < b, don't", frozenset({"don't"})) == ["a &lt; b, <mark>don&#x27;t</mark>"]
    assert snippets('say "hi" & go', frozenset({"hi"})) == ['say "<mark>hi</mark>" &amp; go']


def _part(text: str) -> RichText:
    return RichText(html="", text=text, packed_blocks=b"")


def _with_body(bundled_app, intro: str, *sections: str):
    """A real entry of the bundled pack with its body replaced by these parts."""
    entry = bundled_app.extensions["content"].store.public["condition"]["crps"]
    parts = tuple(
        Section(f"s{n}", f"Part {n}", "", b"", _part(text)) for n, text in enumerate(sections, 1)
    )
    body = Rendered(intro=_part(intro), sections=parts, toc=())
    return dataclasses.replace(entry, title="Title", summary="Summary", body=body)


def test_body_snippets_come_a_part_at_a_time(bundled_app):
    filler = "filler " * 40
    entry = _with_body(bundled_app, "No match here.", f"Pain here. {filler}pain later.", "pain")
    first, second = (h["snippet"] for h in highlight_entry(entry, frozenset({"pain"})))
    # two windows in the first section: the intro comes before it and a section after it
    assert first.startswith("…Part 1 <mark>Pain</mark> here.")
    assert second.endswith("<mark>pain</mark> later.…")
    entry = _with_body(bundled_app, "Pain first.", "Nothing.", "Then pain.")
    found = [h["snippet"] for h in highlight_entry(entry, frozenset({"pain"}))]
    assert found == ["<mark>Pain</mark> first.…", "…Part 2 Then <mark>pain</mark>."]
