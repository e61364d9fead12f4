"""Content validation: every broken fixture is reported with file, line and field."""

import shutil

import pytest

from api.content.files import ContentErrors
from api.content.loader import load_store
from api.content.store import Shared
from schemas.common import COLLECTIONS

from .conftest import BROKEN, PACK


def install(pack, *names):
    """Copy broken fixture files into the pack, into the directory their prefix names."""
    for name in names:
        kind = name.split("_", 1)[0]
        shutil.copy(BROKEN / name, pack / COLLECTIONS[kind] / name)


def errors_for(pack) -> list:
    with pytest.raises(ContentErrors) as caught:
        load_store(pack)
    return caught.value.errors


CASES = [
    ("article_missing_title.md", 2, "title", "Missing data for required field."),
    ("article_malformed_yaml.md", 9, None, "malformed YAML"),
    ("article_unknown_field.md", 8, "titel", "Unknown field."),
    ("article_bad_slug.md", 2, "slug", "[a-z0-9-]"),
    ("article_bad_date.md", 4, "published", "Not a valid date."),
    (
        "article_unknown_condition.md",
        10,
        "conditions",
        "no condition has the slug 'no-such-condition'",
    ),
    ("article_unknown_tag.md", 8, "tags", "unknown tag 'no-such-tag'"),
    ("article_no_front_matter.md", 1, None, "must start with a '---'"),
    ("article_duplicate_section_key.md", 14, "body", "'symptoms' repeats the heading on line 11"),
    ("article_updated_before_published.md", 5, "updated", "must not be before published"),
    ("article_duplicate_key.md", 8, None, "duplicate key 'title'"),
    ("condition_reviewed_without_date.md", 7, "review.last_reviewed", "needs its review date"),
    ("treatment_bad_kind.md", 8, "kind", "Must be one of"),
    ("treatment_bad_side_effect_frequency.md", 12, "side_effects.0.frequency", "Must be one of"),
    ("article_unknown_urgent_help.md", 10, "urgent_help", "no urgent_help service 'no-such-line'"),
    ("condition_quick_fact_without_source.md", 9, "quick_facts.0.source", "Missing data"),
    (
        "treatment_medication_missing_sections.md",
        11,
        "body",
        "a medication page needs the section '## Who should not use it {#who-should-not-use}'",
    ),
]


@pytest.mark.parametrize(("name", "line", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_is_reported_with_line_and_field(pack_copy, name, line, field, message):
    install(pack_copy, name)
    errors = errors_for(pack_copy)
    kind = name.split("_", 1)[0]
    mine = [e for e in errors if e.file == f"{COLLECTIONS[kind]}/{name}"]
    assert mine, errors
    assert any(e.line == line and e.field == field and message in e.message for e in mine), mine


def test_all_errors_are_collected_at_once(pack_copy):
    install(pack_copy, *(case[0] for case in CASES))
    files = {error.file for error in errors_for(pack_copy)}
    assert len(files) == len(CASES)


def test_duplicate_slug_names_both_files(pack_copy):
    install(pack_copy, "article_duplicate_slug.md")
    (error,) = errors_for(pack_copy)
    named = {error.file, error.message.split("also used by ")[1].rstrip(")")}
    assert named == {"articles/article_duplicate_slug.md", "articles/knee-pain-basics.md"}
    assert error.field == "slug"


def test_error_report_lists_file_line_field(pack_copy):
    install(pack_copy, "article_missing_title.md")
    with pytest.raises(ContentErrors) as caught:
        load_store(pack_copy)
    assert "articles/article_missing_title.md:2: title: Missing data" in str(caught.value)


def test_missing_site_file_and_stray_file_are_errors(pack_copy):
    (pack_copy / "site.yaml").unlink()
    (pack_copy / "articles" / "notes.txt").write_text("stray")
    messages = {(e.file, e.message) for e in errors_for(pack_copy)}
    assert ("site.yaml", "required file is missing") in messages
    assert ("articles/notes.txt", "unexpected file: entries are .md") in messages


def test_invalid_utf8_is_an_error_not_a_crash(pack_copy):
    (pack_copy / "articles" / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (error,) = errors_for(pack_copy)
    assert error.file == "articles/latin1.md" and "UTF-8" in error.message


def test_missing_content_directory(tmp_path):
    with pytest.raises(ContentErrors, match="content directory not found"):
        load_store(tmp_path / "nope")


def test_valid_pack_loads_with_drafts_and_scheduled_hidden():
    store = load_store(PACK)
    assert set(store.entries["article"]) == {
        "knee-pain-basics",
        "low-mood-and-sleep",
        "draft-article",
        "scheduled-article",
    }
    assert set(store.public["article"]) == {"knee-pain-basics", "low-mood-and-sleep"}


def test_slug_defaults_to_file_name_and_fields_are_derived():
    store = load_store(PACK)
    article = store.entries["article"]["low-mood-and-sleep"]
    assert article.updated == article.published  # updated defaults to published
    assert article.reading_time == 1
    assert article.review.reviewer["name"] == "Placeholder Reviewer"


def test_relations_resolve_both_ways_and_skip_drafts():
    store = load_store(PACK)
    knee = store.related[("condition", "knee-pain")]
    assert knee["articles"] == ("knee-pain-basics",)  # not the draft or the scheduled one
    assert set(knee["treatments"]) == {"walking", "knee-injection"}
    assert knee["conditions"] == ("low-mood",)
    assert store.related[("condition", "low-mood")]["conditions"] == ("knee-pain",)
    assert store.related[("treatment", "walking")]["articles"] == ("knee-pain-basics",)


def test_store_is_immutable():
    store = load_store(PACK)
    with pytest.raises(TypeError):
        store.public["article"]["new"] = None
    with pytest.raises(AttributeError):
        store.entries["article"]["knee-pain-basics"].title = "changed"


def test_content_version_changes_with_content(pack_copy):
    before = load_store(pack_copy).version
    path = pack_copy / "articles" / "knee-pain-basics.md"
    path.write_text(path.read_text().replace("Intro paragraph", "Changed paragraph"))
    assert load_store(pack_copy).version != before


def test_medication_page_lists_each_missing_section(pack_copy):
    install(pack_copy, "treatment_medication_missing_sections.md")
    mine = [e for e in errors_for(pack_copy) if e.file.endswith("medication_missing_sections.md")]
    missing = sorted(e.message.rsplit("{#", 1)[1].rstrip("}'") for e in mine)
    assert missing == ["pregnancy-and-breastfeeding", "who-should-not-use"]  # interactions is there


def test_urgent_help_keys_are_checked_against_site_yaml(pack_copy):
    site = pack_copy / "site.yaml"
    site.write_text(site.read_text().replace("key: test-crisis-line", "key: renamed-line"))
    errors = errors_for(pack_copy)
    assert [(e.file, e.field, e.message) for e in errors] == [
        (
            "conditions/low-mood.md",
            "urgent_help",
            "no urgent_help service 'test-crisis-line' in site.yaml",
        )
    ]


def test_site_urgent_help_entries_are_validated(pack_copy):
    site = pack_copy / "site.yaml"
    text = site.read_text().replace('call: "111"', 'call: "call us"')
    site.write_text(text.replace("key: test-emergency", "key: test-crisis-line"))
    messages = {(e.field, e.message) for e in errors_for(pack_copy) if e.file == "site.yaml"}
    assert ("urgent_help.1.call", "digits and hyphens, e.g. 1-800-662-4357") in messages
    assert ("urgent_help", "repeated key(s): test-crisis-line") in messages


def test_practical_question_needs_an_answer_or_the_placeholder_mark(pack_copy):
    site = pack_copy / "site.yaml"
    site.write_text(
        site.read_text().replace("placeholder: true\n    note: Placeholder.\nto_", "note: x\nto_")
    )
    messages = {(e.field, e.message) for e in errors_for(pack_copy) if e.file == "site.yaml"}
    assert (
        "practical_questions.0.answer",
        "give the clinic's answer or mark it a placeholder",
    ) in messages


def test_urgent_help_is_stored_in_the_page_order():
    store = load_store(PACK)
    low_mood = store.entries["condition"]["low-mood"]
    assert low_mood.urgent_help == ("test-crisis-line", "test-emergency")
    labels = [s["label"] for s in store.site.urgent_help_for(low_mood.urgent_help)]
    assert labels == ["Test crisis line", "Test emergency line"]


def test_equal_repeated_parts_are_one_object_and_pages_are_unchanged(pack_copy):
    """Entries share equal statuses, dates, reviews, headings and contents items (store.Shared):
    one object each, so the store and its snapshot are smaller; what a page reads is the same."""
    conditions = pack_copy / "conditions"
    (conditions / "copy.md").write_text((conditions / "knee-pain.md").read_text())
    store = load_store(pack_copy)
    original, copy = store.entries["condition"]["knee-pain"], store.entries["condition"]["copy"]
    assert original is not copy and original.body == copy.body
    assert original.status is copy.status and original.published is copy.published
    for mine, theirs in zip(original.body.sections, copy.body.sections, strict=True):
        assert mine.heading_html is theirs.heading_html and mine.key is theirs.key
        # a long rendered piece is kept as it is (not hashed to be looked up)
        long_piece = len(mine.content.html) + len(mine.content.text) > Shared.SMALL
        assert (mine.content is theirs.content) != long_piece
    assert original.body.toc and all(
        a is b for a, b in zip(original.body.toc, copy.body.toc, strict=True)
    )
    everything = [e for by_slug in store.entries.values() for e in by_slug.values()]
    assert len({id(e.status) for e in everything}) == len({e.status for e in everything})
