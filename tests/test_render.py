"""Markdown rendering: XSS payloads come out inert; sections, table of contents and blocks."""

import json
import re
from html.parser import HTMLParser

import pytest

from api.content.loader import load_store
from api.content.render import MarkdownError, render_markdown, render_rich_text

from .test_loader import install

FORBIDDEN_TAGS = {"script", "iframe", "svg", "math", "style", "form", "img", "input", "details"}
SAFE_URL = re.compile(r"^(https?:|mailto:|/|#|[^:]*$)", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _assert_inert(html: str):
    """Parse the HTML as a browser would and check the real tags and attributes."""
    collector = _Collector()
    collector.feed(html)
    for tag, attrs in collector.elements:
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action", "xlink:href"):
                assert SAFE_URL.match(value.strip()), (tag, name, value)


@pytest.fixture
def xss_article(pack_copy):
    install(pack_copy, "article_xss_payloads.md")
    return load_store(pack_copy).entries["article"]["article_xss_payloads"]


def test_xss_payloads_are_inert_in_html(xss_article):
    _assert_inert(xss_article.body.html)
    _assert_inert(xss_article.faq[0].answer.html)
    for section in xss_article.body.sections:
        _assert_inert(section.content.html)
    # the safe content survives sanitising
    assert '<a href="https://example.org/page" rel="noopener noreferrer">safe link</a>' in (
        xss_article.body.html
    )
    assert '<h2 id="safe">Safe heading</h2>' in xss_article.body.html


def test_xss_payloads_have_no_unsafe_links_in_blocks(xss_article):
    hrefs = re.findall(r'"href": "([^"]*)"', json.dumps(xss_article.body.blocks))
    assert hrefs == ["https://example.org/page"]


def test_raw_html_is_shown_as_text_not_markup():
    rendered = render_markdown("<b>bold?</b>")
    assert rendered.html == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"
    assert rendered.text == "<b>bold?</b>"


def test_sections_toc_and_text():
    rendered = render_markdown(
        "Intro.\n\n## Symptoms {#symptoms}\nAche.\n\n### Early signs\nTingling.\n\n"
        "## Causes\n- Injury\n"
    )
    assert [(s.key, s.title) for s in rendered.sections] == [
        ("symptoms", "Symptoms"),
        ("causes", "Causes"),
    ]
    assert [(t.key, t.level) for t in rendered.toc] == [
        ("symptoms", 2),
        ("early-signs", 3),
        ("causes", 2),
    ]
    assert rendered.sections[0].content.html == (
        '<p>Ache.</p>\n<h3 id="early-signs">Early signs</h3>\n<p>Tingling.</p>\n'
    )
    assert rendered.sections[1].content.text == "Injury"
    assert rendered.text.startswith("Intro.\n\nSymptoms\n\nAche.")


def test_bad_section_keys_are_all_reported_with_file_lines():
    with pytest.raises(MarkdownError) as caught:
        render_markdown("## A {#Bad Key}\n\n## B {#b}\n\n## C {#b}\n", first_line=10)
    assert caught.value.problems == [
        (10, "section key 'Bad Key' must match [a-z0-9-]"),
        (14, "section key 'b' repeats the heading on line 12"),
    ]


def test_blocks_tree_structure():
    rich = render_rich_text("Take *one* [dose](https://x.test).\n\n1. first\n2. second\n\n> quoted")
    assert rich.blocks == [
        {
            "type": "paragraph",
            "children": [
                {"type": "text", "text": "Take "},
                {"type": "emphasis", "children": [{"type": "text", "text": "one"}]},
                {"type": "text", "text": " "},
                {
                    "type": "link",
                    "href": "https://x.test",
                    "children": [{"type": "text", "text": "dose"}],
                },
                {"type": "text", "text": "."},
            ],
        },
        {
            "type": "list",
            "ordered": True,
            "start": 1,
            "children": [
                {
                    "type": "list_item",
                    "children": [
                        {"type": "paragraph", "children": [{"type": "text", "text": "first"}]}
                    ],
                },
                {
                    "type": "list_item",
                    "children": [
                        {"type": "paragraph", "children": [{"type": "text", "text": "second"}]}
                    ],
                },
            ],
        },
        {
            "type": "quote",
            "children": [{"type": "paragraph", "children": [{"type": "text", "text": "quoted"}]}],
        },
    ]
