"""search/highlight.py: the str.find matcher for ASCII text finds exactly what the regular
expression finds, and snippets mark matches while escaping everything else."""

import random

from api.search.highlight import _Ascii, _ascii_words, _Regex, highlight_entry, marker, snippets

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


def test_ascii_matches_equal_the_regular_expressions(bundled_app):
    rng = random.Random(7)
    compared = 0
    for text in corpus(bundled_app):
        assert text.isascii()
        for words in WORD_SETS:
            fast = _Ascii(text, _ascii_words(words))
            slow = _Regex(text, marker(words))
            windows = [(0, len(text))]
            windows += [sorted(rng.sample(range(len(text) + 1), 2)) for _ in range(3)]
            for start, end in windows:
                assert list(fast.spans(start, end)) == list(slow.spans(start, end)), (words, start)
                compared += 1
    assert compared > 100


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
