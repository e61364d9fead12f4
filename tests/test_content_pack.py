"""The clinic's bundled content: complete, careful, and served."""

import re

import pytest

from api.content.loader import load_store
from api.content.relations import is_public

from .conftest import ROOT

STORE = load_store(ROOT / "content")
REQUIRED = {
    "article": {
        "how-ketamine-infusion-therapy-works",
        "what-is-chronic-pain-syndrome",
        "crps-types-1-and-2",
    },
    "condition": {"depression", "anxiety", "ptsd", "chronic-pain-syndrome", "crps"},
    "treatment": {
        "ketamine-infusion-therapy",
        "esketamine-nasal-spray",
        "talk-therapy",
        "physical-therapy",
        "over-the-counter-pain-relievers",
        "opioid-pain-relievers",
        "reducing-caffeine",
        "healthy-eating",
        "light-exercise",
        "meditation-yoga-and-tai-chi",
    },
}
ENTRIES = [e for by_slug in STORE.entries.values() for e in by_slug.values()]
PHONE = re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")
# the only phone numbers a page may print: the national services of site.yaml's urgent_help
NATIONAL = {re.sub(r"\D", "", s["call"] or "")[-10:] for s in STORE.site.urgent_help}


def _phones(text: str) -> set[str]:
    return {re.sub(r"\D", "", m.group(0)) for m in PHONE.finditer(text)}


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_seed_topics_are_covered(kind):
    assert REQUIRED[kind] <= set(STORE.public[kind])


def test_tags_are_the_seed_tags():
    assert {t.label for t in STORE.tags.values()} == {
        "Anxiety",
        "Chronic Pain",
        "Depression",
        "Ketamine",
        "PTSD",
    }


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.type}:{e.slug}")
def test_entries_are_unreviewed_and_invent_nobody(entry):
    assert entry.review.status == "not-reviewed"
    assert entry.review.reviewer is None and entry.review.last_reviewed is None
    assert _phones(entry.body.text) <= NATIONAL, _phones(entry.body.text) - NATIONAL
    assert is_public(entry, STORE.loaded_on)


def test_conditions_have_core_sections():
    for condition in STORE.public["condition"].values():
        keys = {s.key for s in condition.body.sections}
        assert {"overview", "symptoms", "treatment-options", "when-to-seek-help"} <= keys, (
            condition.slug
        )


def test_site_placeholders_are_marked():
    site = STORE.site
    assert site.disclaimer
    assert site.licence["name"]
    for cta in site.calls_to_action:
        assert cta["placeholder"] is True and cta["phone"] is None


def test_bundled_articles_are_served(bundled_client):
    body = bundled_client.get("/v1/articles").get_json()
    assert body["meta"]["total"] == len(STORE.public["article"])
    crps = bundled_client.get("/v1/conditions/crps").get_json()
    assert "crps-types-1-and-2" in [a["slug"] for a in crps["data"]["related"]["articles"]]
    assert crps["meta"]["disclaimer"] == STORE.site.disclaimer


def test_links_are_site_paths_not_api_paths():
    # pages are read on the clinic's site, in partners' embeds and in apps: links name the
    # website's pages (/conditions/crps), which the canonical URLs use too
    for entry in ENTRIES:
        assert "/v1/" not in entry.body.html, entry.slug
        assert 'href="/' in entry.body.html or "href" not in entry.body.html


# --- issue 12: the clinical safety pass ---------------------------------------------------------

PUBLIC = STORE.public
BRITISH = re.compile(
    r"\b(\w*(?:colour|behaviour|favour|centre|organis|recognis|analys|programme|practis|"
    r"anaesth|paediatric|haem|oesoph|counsell|travell|fibre|litre|tumour|labour|defence|"
    r"signall|labell|modell|cancell|wellbeing)\w*)",
    re.IGNORECASE,
)


def _section(entry, key) -> str:
    section = entry.section(key)
    assert section is not None, f"{entry.slug} has no section {key}"
    return " ".join(section.content.text.split())


def _all_text(entry) -> str:
    """Everything a patient can read on the page."""
    parts = [entry.title, entry.summary, entry.body.text]
    parts += [f.question + " " + f.answer.text for f in entry.faq]
    if entry.type == "condition":
        parts += [f"{q['label']} {q['value']} {q['source']}" for q in entry.quick_facts]
    if entry.type == "treatment":
        parts += [entry.how_it_works.text] + [v for v in entry.what_to_expect.values() if v]
        parts += [f"{s['name']} {s['what_to_do']}" for s in entry.side_effects]
        parts += [entry.evidence_notes.text] if entry.evidence_notes else []
    return " ".join(" ".join(parts).split())


def test_new_pages_are_published_and_not_reviewed():
    new = {
        ("condition", "treatment-resistant-depression"),
        ("article", "is-ketamine-infusion-therapy-right-for-me"),
        ("article", "preparing-for-your-first-infusion"),
        ("article", "getting-help-now"),
    }
    for kind, slug in new:
        entry = PUBLIC[kind][slug]
        assert entry.review.status == "not-reviewed" and entry.review.reviewer is None


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.type}:{e.slug}")
def test_patient_text_is_us_spelling_without_not_applicable(entry):
    text = _all_text(entry)
    assert "not applicable" not in text.lower()
    assert not BRITISH.findall(text), BRITISH.findall(text)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.type}:{e.slug}")
def test_pages_that_point_to_988_or_911_declare_them(entry):
    text = _all_text(entry)
    if re.search(r"\b988\b", text):
        assert "crisis-988" in entry.urgent_help
    if re.search(r"\b911\b", text):
        assert "emergency-911" in entry.urgent_help
    if "crisis line" in text.lower():  # the old vague wording is gone
        assert entry.slug == "getting-help-now"  # "It is not a crisis line" (the maternal line)


def test_placeholders_in_pages_are_marked_the_same_way():
    marked = re.compile(r"\[Placeholder for the clinic to fill: [^\]]+\]")
    for entry in ENTRIES:
        text = _all_text(entry)
        assert text.count("[Placeholder") == len(marked.findall(text)), entry.slug
    preparing = _all_text(PUBLIC["article"]["preparing-for-your-first-infusion"])
    assert len(marked.findall(preparing)) >= 4


def test_quick_facts_name_organization_and_document():
    verified_urls = {"https://doi.org/10.1016/j.pain.2006.09.008"}  # looked up; see README
    for condition in PUBLIC["condition"].values():
        for fact in condition.quick_facts:
            assert "," in fact["source"], (condition.slug, fact["source"])  # who, what document
            assert fact["source_url"] in verified_urls | {None}
            assert "previous website" not in fact["source"]


def test_crps_incidence_is_the_published_study_not_200000():
    crps = PUBLIC["condition"]["crps"]
    assert "200,000" not in _all_text(crps)
    fact = next(f for f in crps.quick_facts if f["label"] == "New cases each year")
    assert "26 new cases per 100,000" in fact["value"] and "de Mos" in fact["source"]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if getattr(e, "kind", "") == "medication"])
def test_medication_pages_have_the_stable_safety_sections(entry):
    for key in ("who-should-not-use", "interactions", "pregnancy-and-breastfeeding"):
        assert len(_section(entry, key).split()) > 20, key


def test_esketamine_label_warnings():
    page = PUBLIC["treatment"]["esketamine-nasal-spray"]
    who = _section(page, "who-should-not-use")
    for word in ("aneurysm", "arteriovenous malformation", "bleeding in the brain", "must not"):
        assert word in who
    pregnancy = _section(page, "pregnancy-and-breastfeeding")
    assert "not recommended during pregnancy" in pregnancy
    assert "Do not breastfeed" in pregnancy
    evidence = page.evidence_notes.text
    for words in ("treatment-resistant depression", "antidepressant taken by mouth", "suicidal"):
        assert words in " ".join(evidence.split())
    assert "on its own" in evidence
    assert "REMS" in _section(page, "safety") and "two hours" in _all_text(page)


def test_opioid_warnings():
    page = PUBLIC["treatment"]["opioid-pain-relievers"]
    pregnancy = _section(page, "pregnancy-and-breastfeeding")
    assert "neonatal opioid withdrawal syndrome" in pregnancy
    assert "Do not take codeine or tramadol while breastfeeding" in pregnancy
    assert "Codeine and tramadol must not be given to children under 12" in _section(
        page, "who-should-not-use"
    )
    text = _all_text(page)
    assert "naloxone" in text and "without a prescription" in text
    assert "1-800-662-4357" in text and "samhsa-helpline" in page.urgent_help


def test_ketamine_before_you_start():
    page = PUBLIC["treatment"]["ketamine-infusion-therapy"]
    before = _section(page, "before-you-start")
    for words in (
        "bipolar disorder",
        "mania",
        "pressure in the brain or in the eye",
        "recent heart attack or stroke",
        "aneurysm",
        "overactive thyroid",
        "Benzodiazepines",
        "lamotrigine",
    ):
        assert words in before, words
    assert "compounded" in _all_text(page)
    for entry in ENTRIES:  # leaving is tied to readings, not to a fixed time
        assert "20 minutes" not in _all_text(entry), entry.slug
    assert "back near your usual levels" in _section(page, "on-the-day")


def test_over_the_counter_doses_and_risks():
    page = PUBLIC["treatment"]["over-the-counter-pain-relievers"]
    safely = _section(page, "using-them-safely")
    for words in ("4,000 mg in 24 hours", "3,000 mg", "liver disease", "weigh little"):
        assert words in safely, words
    assert "lowest dose that helps, for the shortest time" in safely
    text = _all_text(page)
    for words in ("dehydrated", "water pill (diuretic)", "within the first weeks"):
        assert words in text, words


def _related(kind, slug, relation):
    return STORE.related[(kind, slug)][relation]


def test_related_links_make_sense_both_ways():
    ketamine_article = "how-ketamine-infusion-therapy-works"
    for slug in ("insomnia", "postpartum-depression"):
        assert ketamine_article not in _related("condition", slug, "articles")
    assert "getting-help-now" in _related("condition", "postpartum-depression", "articles")
    pain_article = _related("article", "what-is-chronic-pain-syndrome", "treatments")
    assert "esketamine-nasal-spray" not in pain_article
    # self-care pages are not sent to ketamine, which is not a treatment for them
    for slug in ("reducing-caffeine", "healthy-eating", "light-exercise"):
        assert ketamine_article not in _related("treatment", slug, "articles")


def test_ptsd_is_not_classed_as_an_anxiety_disorder():
    ptsd = PUBLIC["condition"]["ptsd"]
    assert "anxiety" not in ptsd.tags
    assert "trauma- and stressor-related disorders" in _section(ptsd, "overview")


def test_other_pages_repeat_medication_warnings_without_softening():
    """A warning quoted on another page says what the medication page says, not less."""
    postpartum = _all_text(PUBLIC["condition"]["postpartum-depression"])
    assert "Esketamine nasal spray is not recommended during pregnancy" in postpartum
    assert "should not breastfeed while using it" in postpartum
    assert "not well established" not in postpartum
    opioids = _section(PUBLIC["treatment"]["opioid-pain-relievers"], "pregnancy-and-breastfeeding")
    assert "neonatal opioid withdrawal syndrome" in opioids and "life-threatening" in opioids
