"""/v1/search and /v1/search/suggest on the bundled clinic content."""

import re

import pytest

from .helpers import assert_problem


def search(client, query: str, **params):
    response = client.get("/v1/search", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def top(body, n=1) -> list[str]:
    return [item["slug"] for item in body["items"][:n]]


def test_hit_shape_and_meta(bundled_client):
    body = search(bundled_client, "ketamine infusion", per_page=2)
    hit = body["items"][0]
    assert set(hit) == {"type", "slug", "title", "summary", "url", "score", "highlights"}
    assert hit["url"] == f"/v1/{hit['type']}s/{hit['slug']}"
    assert hit["score"] > 0
    meta = body["meta"]
    assert meta["per_page"] == 2 and meta["page"] == 1
    assert meta["pages"] == -(-meta["total"] // 2)
    assert sum(meta["facets"]["type"].values()) == meta["total"]
    assert meta["suggestion"] is None


def test_title_outranks_body(bundled_client):
    assert top(search(bundled_client, "fibromyalgia")) == ["fibromyalgia"]
    assert top(search(bundled_client, "esketamine")) == ["esketamine-nasal-spray"]


@pytest.mark.parametrize(
    ("query", "expected_first", "suggestion"),
    [
        ("fibromyalgai", "fibromyalgia", "fibromyalgia"),
        ("ketamin infusoin", "ketamine-infusion-therapy", "ketamine infusion"),
        ("complex regional pian", "crps", "complex regional pain"),
        ("depresion", "depression", "depression"),
    ],
)
def test_typos_still_find_the_page_and_suggest(bundled_client, query, expected_first, suggestion):
    body = search(bundled_client, query)
    assert top(body) == [expected_first]
    assert body["meta"]["suggestion"]["query"] == suggestion
    assert body["meta"]["suggestion"]["url"] == "/v1/search?q=" + suggestion.replace(" ", "+")


def test_half_typed_word_matches_without_a_suggestion(bundled_client):
    body = search(bundled_client, "fibrom")
    assert top(body) == ["fibromyalgia"]
    assert body["meta"]["suggestion"] is None


def test_stemming(bundled_client):
    plural = search(bundled_client, "infusions")
    singular = search(bundled_client, "infusion")
    assert plural["meta"]["total"] == singular["meta"]["total"] > 0


def test_phrase_is_stricter_than_words(bundled_client):
    words = search(bundled_client, "pain regional")["meta"]["total"]
    phrase = search(bundled_client, '"regional pain"')
    assert 0 < phrase["meta"]["total"] <= words
    assert top(phrase) == ["crps"]


def test_filters_and_disjunctive_facets(bundled_client):
    everything = search(bundled_client, "pain", per_page=50)
    conditions = search(bundled_client, "pain", type="condition", per_page=50)
    assert {i["type"] for i in conditions["items"]} == {"condition"}
    assert conditions["meta"]["total"] == everything["meta"]["facets"]["type"]["condition"]
    # the type facet ignores the type filter, so it still offers the other types
    assert conditions["meta"]["facets"]["type"] == everything["meta"]["facets"]["type"]
    two = search(bundled_client, "pain", type=["condition", "article"], per_page=50)
    assert {i["type"] for i in two["items"]} == {"condition", "article"}
    tagged = search(bundled_client, "pain", tag="ptsd", per_page=50)
    assert tagged["meta"]["total"] == everything["meta"]["facets"]["tag"]["ptsd"]


def test_pagination_is_consistent(bundled_client):
    all_hits = top(search(bundled_client, "pain", per_page=50), 50)
    pages = [top(search(bundled_client, "pain", per_page=5, page=n), 5) for n in (1, 2)]
    assert pages[0] + pages[1] == all_hits[:10]
    assert search(bundled_client, "pain", page=100)["items"] == []


def test_highlights_mark_matches_and_escape_everything_else(bundled_client):
    body = search(bundled_client, "treatments")
    for item in body["items"]:
        for highlight in item["highlights"]:
            assert highlight["field"] in {"title", "summary", "body"}
            without_marks = highlight["snippet"].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in without_marks and ">" not in without_marks
    marked = [
        m.lower()
        for item in body["items"]
        for h in item["highlights"]
        for m in re.findall(r"<mark>(.*?)</mark>", h["snippet"])
    ]
    assert marked and set(marked) <= {"treatment", "treatments", "treated", "treat", "treating"}


def test_suggest_prefixes(bundled_client):
    items = bundled_client.get("/v1/search/suggest?q=chron").get_json()["items"]
    assert items[0] == {
        "text": "Chronic pain syndrome",
        "type": "condition",
        "slug": "chronic-pain-syndrome",
        "title": "Chronic pain syndrome",
        "url": "/v1/conditions/chronic-pain-syndrome",
    }
    # a later word of a name, and also-known-as names, match too
    later = bundled_client.get("/v1/search/suggest?q=regional").get_json()["items"]
    assert [i["slug"] for i in later] == ["crps"]
    aka = bundled_client.get("/v1/search/suggest?q=reflex").get_json()["items"]
    assert aka[0]["slug"] == "crps" and aka[0]["text"] != aka[0]["title"]
    assert len(bundled_client.get("/v1/search/suggest?q=a").get_json()["items"]) <= 10
    limited = bundled_client.get("/v1/search/suggest?q=d&limit=1").get_json()["items"]
    assert len(limited) == 1


# --- safety -----------------------------------------------------------------------------------


def test_field_syntax_does_not_reach_other_fields(client):
    # the fixture pack has a draft; "status:draft" is two plain words and finds no draft
    body = search(client, "status:draft knees")
    assert "draft-article" not in top(body, 50)
    body = search(client, "knees", per_page=50)
    assert {i["slug"] for i in body["items"]} == {"knee-pain-basics", "knee-pain", "knee-injection"}


def test_drafts_and_scheduled_are_never_indexed(client):
    for query in ("secret draft body", "future body", "draft", "scheduled"):
        slugs = [
            i["slug"]
            for i in client.get("/v1/search", query_string={"q": query}).get_json()["items"]
        ]
        assert "draft-article" not in slugs and "scheduled-article" not in slugs


@pytest.mark.parametrize(
    "query",
    ["*", "kn*", "knee~2", "[a TO z]", "title:knee", "NOT OR knee", '"open', "(knee", "knee AND"],
)
def test_query_syntax_is_plain_words(client, query):
    response = client.get("/v1/search", query_string={"q": query})
    if response.status_code == 400:
        assert_problem(response, 400)
    else:
        assert response.status_code == 200
        # operators and wildcards are ignored: the words alone decide, nothing is enumerated
        plain = search(client, "knee")
        assert response.get_json()["meta"]["total"] in (0, plain["meta"]["total"])


@pytest.mark.parametrize("query", ["NOT NOT x", "*", "the of and", "😀😀", "\u202e\u200f"])
def test_unsearchable_queries_match_nothing(client, query):
    body = search(client, query)
    assert body["items"] == [] and body["meta"]["total"] == 0
    assert body["meta"]["facets"] == {"type": {}, "tag": {}}


def test_length_cap(client):
    assert_problem(client.get("/v1/search", query_string={"q": "k" * 201}), 400)
    assert client.get("/v1/search", query_string={"q": "k" * 200}).status_code == 200
    assert_problem(client.get("/v1/search", query_string={"q": "x" * 100_000}), 400)
    assert_problem(client.get("/v1/search/suggest", query_string={"q": "k" * 101}), 400)


def test_long_questions_are_searched_not_refused(bundled_client):
    question = (
        "hello, my doctor says I might have complex regional pain syndrome in my left hand "
        "after the fracture last year, what are the treatments and is it permanent?"
    )
    assert 100 < len(question) <= 200 and len(question.split()) > 25
    body = search(bundled_client, question)
    assert top(body, 3)[0] == "crps"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what are the treatments for complex regional pain syndorme in my hand", "crps"),
        ("my wife has fibromyalgai and is always tired, what can help her sleep", "fibromyalgia"),
        (
            "is esketamine nasal spary the same thing as a ketamine infusion?",
            "esketamine-nasal-spray",
        ),
    ],
)
def test_one_typo_in_a_long_question_still_finds_the_page(bundled_client, question, expected):
    body = search(bundled_client, question)
    assert expected in top(body, 3)
    assert body["meta"]["suggestion"] is not None


def test_garbled_long_query_is_bounded_not_refused(bundled_client):
    garbled = " ".join(f"qzx{chr(97 + i)}vbnmw" for i in range(18))  # 18 unknown long words
    assert len(garbled) <= 200
    body = search(bundled_client, garbled)
    assert body["items"] == [] and body["meta"]["total"] == 0


def test_term_cap_counts_normalised_terms(app):
    """The cap applies after NFKC: fullwidth letters are the same words, not a way around it."""
    from api.search import SearchRequest
    from api.search.query import parse_query

    backend = app.extensions["content"].search
    words = "knee pain walking injection mood sleep basics joint gentle exercise steroid rest"
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in words)
    results = []
    for text in (words, fullwidth, f'"{words}"'):
        query = parse_query(text, 200, 4)
        results.append(backend.search(SearchRequest(query, (), None, 1, 10)))
    ascii_result, fullwidth_result, phrase_result = results
    assert 0 < len(ascii_result.searched) <= 4
    assert fullwidth_result.searched == ascii_result.searched
    assert [h.slug for h in fullwidth_result.hits] == [h.slug for h in ascii_result.hits]
    # a phrase's words count too: one longer than the cap is searched as its rarest words
    assert phrase_result.searched == ascii_result.searched


@pytest.mark.parametrize(
    "raw",
    ["q=%00", "q=%FF%FE", "q=knee%00pain", "q=%E2%80%AEknee", "q=knee%F0%9F%98%80", "q=%C3%28"],
)
def test_hostile_bytes_never_500(client, raw):
    for path in ("/v1/search", "/v1/search/suggest"):
        response = client.get(f"{path}?{raw}")
        assert response.status_code in (200, 400), response.get_data(as_text=True)
        if response.status_code == 400:
            assert_problem(response, 400)


def test_nfc_and_nfd_match_the_same(client):
    nfc = search(client, "caf\u00e9 knee")
    nfd = search(client, "cafe\u0301 knee")
    assert nfc == nfd


def test_missing_and_bad_parameters(client):
    assert_problem(client.get("/v1/search"), 400)
    assert_problem(client.get("/v1/search?q=knee&type=page"), 400)
    assert_problem(client.get("/v1/search?q=knee&per_page=51"), 400)
    assert_problem(client.get("/v1/search?q=knee&page=101"), 400)
    assert_problem(client.get("/v1/search?q=knee&sort=title"), 400)
    assert_problem(client.get("/v1/search/suggest?q=kn&limit=11"), 400)


def test_index_terms_match_whoosh_analyzer_except_single_digits(bundled_app):
    from api.search.query import ANALYZER, index_terms

    for entry in bundled_app.extensions["content"].store.public_entries():
        text = entry.body.text
        whoosh = [t.text for t in ANALYZER(text)]
        ours = [t for t in index_terms(text) if not (len(t) == 1 and t.isdigit())]
        assert ours == whoosh, entry.slug
    assert index_terms("Type 1 diabetes") == ["type", "1", "diabet"]


def test_suggestion_keeps_filters(bundled_client):
    body = search(bundled_client, "depresion", type="condition", per_page=5)
    assert body["meta"]["suggestion"] == {
        "query": "depression",
        "url": "/v1/search?q=depression&type=condition&per_page=5",
    }
