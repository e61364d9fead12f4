"""Markdown → sanitised HTML, plain text, table of contents, sections and blocks.

Runs once per document at start-up. markdown-it-py's "js-default" preset turns raw HTML off and
refuses javascript:/vbscript:/file:/data: links; nh3 then sanitises the HTML again as a second,
independent layer, because content is authored by people and the output goes into other sites.
"""

import re
import zlib

import nh3
import orjson
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .blocks import safe_href, tokens_to_blocks
from .rendered import Rendered, RichText, Section, TocItem

_md = MarkdownIt("js-default")
_KEY_SUFFIX = re.compile(r"\s*\{#([^}]*)\}\s*$")
_KEY_OK = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, **{f"h{n}": {"id"} for n in range(2, 7)}}
_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}  # content has no images; refuse tracking pixels


class MarkdownError(ValueError):
    """Problems in a Markdown body: (file line, message) pairs."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def _pack(blocks) -> bytes:
    return zlib.compress(orjson.dumps(blocks), 1)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    # Same link policy as the blocks format: odd relative forms such as "java%09script:" go.
    if name == "href":
        return safe_href(value)
    return value


# One configured cleaner: building the allow-lists on every call cost more than the cleaning.
_cleaner = nh3.Cleaner(tags=_TAGS, attributes=_ATTRIBUTES, attribute_filter=_filter_attribute)


def sanitize(html: str) -> str:
    return _cleaner.clean(html)


def slugify(text: str) -> str:
    return _NON_SLUG.sub("-", text.lower()).strip("-")


def _plain_inline(token: Token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def plain_text(tokens: list[Token]) -> str:
    """Readable plain text: one paragraph, heading or list item per line, blank lines between."""
    lines: list[str] = []
    for token in tokens:
        if token.type == "inline":
            lines.append(_plain_inline(token).strip())
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n\n".join(line for line in lines if line)


def _assign_heading_keys(tokens: list[Token], first_line: int) -> list[tuple[int, str]]:
    """Give every h2–h6 an id: the explicit `{#key}` suffix, else a slug of its text."""
    errors, seen = [], {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag == "h1":
            continue
        inline = tokens[index + 1]
        line = token.map[0] + first_line if token.map else first_line
        match = _KEY_SUFFIX.search(inline.content)
        if match:
            key = match.group(1)
            inline.content = inline.content[: match.start()]
            last = inline.children[-1] if inline.children else None
            if last is not None and last.type == "text":
                last.content = _KEY_SUFFIX.sub("", last.content)
            if not _KEY_OK.match(key):
                errors.append((line, f"section key '{key}' must match [a-z0-9-]"))
                continue
        else:
            key = slugify(inline.content) or "section"
        if key in seen:
            errors.append((line, f"section key '{key}' repeats the heading on line {seen[key]}"))
            continue
        seen[key] = line
        token.attrSet("id", key)
    return errors


def _render(tokens: list[Token]) -> str:
    return sanitize(_md.renderer.render(tokens, _md.options, {}))


def _rich(tokens: list[Token]) -> RichText:
    return RichText(_render(tokens), plain_text(tokens), _pack(tokens_to_blocks(tokens)))


def render_markdown(source: str, first_line: int = 1) -> Rendered:
    """Render one Markdown document; raises MarkdownError listing every bad section key.

    `first_line` is the file line where `source` starts, so errors point into the file.
    """
    tokens = _md.parse(source)
    errors = _assign_heading_keys(tokens, first_line)
    if errors:
        raise MarkdownError(errors)
    toc, sections = [], []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            title = _plain_inline(tokens[index + 1]).strip()
            toc.append(TocItem(token.attrGet("id"), title, int(token.tag[1])))
    starts = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    bounds = starts + [len(tokens)]
    for position, start in enumerate(starts):
        heading = tokens[start : start + 3]  # heading_open, inline, heading_close
        (heading_block,) = tokens_to_blocks(heading)
        sections.append(
            Section(
                key=tokens[start].attrGet("id"),
                title=_plain_inline(tokens[start + 1]).strip(),
                heading_html=_render(heading),
                heading_block=orjson.dumps(heading_block),
                content=_rich(tokens[start + 3 : bounds[position + 1]]),
            )
        )
    intro = tokens[: starts[0]] if starts else tokens
    return Rendered(intro=_rich(intro), sections=tuple(sections), toc=tuple(toc))


def render_rich_text(source: str) -> RichText:
    """Short Markdown fields such as FAQ answers and evidence notes (no sections)."""
    return _rich(_md.parse(source))
