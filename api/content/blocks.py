"""markdown-it tokens → a JSON tree ("blocks") that a native app renders without a web view.

Block nodes: heading(level, id), paragraph, list(ordered, start), list_item, quote, code(text,
language), rule, table/table_head/table_body/table_row/table_cell(header). Inline nodes: text,
emphasis, strong, strikethrough, link(href), code, break. Links keep only schemes a native app
can open safely; anything else loses its link and keeps its text.
"""

from urllib.parse import urlsplit

from markdown_it.token import Token

_SAFE_SCHEMES = {"http", "https", "mailto", "tel"}

_BLOCK_TYPES = {
    "paragraph": "paragraph",
    "heading": "heading",
    "bullet_list": "list",
    "ordered_list": "list",
    "list_item": "list_item",
    "blockquote": "quote",
    "table": "table",
    "thead": "table_head",
    "tbody": "table_body",
    "tr": "table_row",
    "th": "table_cell",
    "td": "table_cell",
}
_INLINE_TYPES = {"em": "emphasis", "strong": "strong", "s": "strikethrough", "link": "link"}


def safe_href(href: str | None) -> str | None:
    """Absolute links with a safe scheme, or site-relative links ('/…', '#…'); nothing else."""
    if not href:
        return None
    scheme = urlsplit(href.strip()).scheme.lower()
    if scheme:
        return href if scheme in _SAFE_SCHEMES else None
    return href if href.startswith(("/", "#")) else None


def _block_node(token: Token) -> dict:
    base = token.type[: -len("_open")]
    node: dict = {"type": _BLOCK_TYPES.get(base, base), "children": []}
    if base == "heading":
        node["level"] = int(token.tag[1])
        node["id"] = token.attrGet("id")
    elif base in ("bullet_list", "ordered_list"):
        node["ordered"] = base == "ordered_list"
        if base == "ordered_list":
            node["start"] = int(token.attrGet("start") or 1)
    elif base in ("th", "td"):
        node["header"] = base == "th"
    return node


def _inline_nodes(children: list[Token]) -> list[dict]:
    root: dict = {"children": []}
    stack = [root]
    for token in children:
        top = stack[-1]["children"]
        if token.type in ("text", "code_inline"):
            kind = "text" if token.type == "text" else "code"
            if token.content:
                top.append({"type": kind, "text": token.content})
        elif token.type == "softbreak":
            top.append({"type": "text", "text": " "})
        elif token.type == "hardbreak":
            top.append({"type": "break"})
        elif token.type == "image":
            top.append({"type": "text", "text": token.content})
        elif token.type.endswith("_open"):
            base = token.type[: -len("_open")]
            node = {"type": _INLINE_TYPES.get(base, base), "children": []}
            if base == "link":
                href = safe_href(token.attrGet("href"))
                if href is None:
                    node = {"type": "span", "children": []}
                else:
                    node["href"] = href
            top.append(node)
            stack.append(node)
        elif token.type.endswith("_close") and len(stack) > 1:
            closed = stack.pop()
            if closed["type"] == "span":  # an unsafe link: keep its text, drop the wrapper
                stack[-1]["children"].pop()
                stack[-1]["children"].extend(closed["children"])
    return root["children"]


def tokens_to_blocks(tokens: list[Token]) -> tuple:
    root: dict = {"children": []}
    stack = [root]
    for token in tokens:
        if token.type.endswith("_open"):
            node = _block_node(token)
            stack[-1]["children"].append(node)
            stack.append(node)
        elif token.type.endswith("_close"):
            if len(stack) > 1:
                stack.pop()
        elif token.type == "inline":
            stack[-1]["children"].extend(_inline_nodes(token.children or []))
        elif token.type in ("fence", "code_block"):
            language = token.info.strip() or None
            stack[-1]["children"].append(
                {"type": "code", "text": token.content, "language": language}
            )
        elif token.type == "hr":
            stack[-1]["children"].append({"type": "rule"})
    return tuple(root["children"])
