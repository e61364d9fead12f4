"""Reading content files: front matter splitting, YAML with line numbers, error records.

Dates stay strings in YAML (the timestamp resolver is removed) so that marshmallow validates them
and names the field in its message; duplicate keys are errors rather than PyYAML's last-one-wins.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" {self.field}:" if self.field else ""
        return f"{where}:{what} {self.message}"


class ContentErrors(Exception):
    """Raised with every problem found, so an editor fixes them all in one pass."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.field or ""))
        super().__init__(f"{len(self.errors)} content error(s):\n" + self.report())

    def report(self) -> str:
        return "\n".join(f"  {error}" for error in self.errors)


@lru_cache(maxsize=1)
def _loader_class():
    """A safe YAML loader that leaves timestamps as strings (built on first use: serving from
    a snapshot never parses YAML). libyaml's parser when PyYAML has it (every wheel does)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = type("ContentLoader", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return loader


@dataclass(frozen=True)
class YamlDocument:
    data: object
    node: object  # a yaml Node, or None
    line_offset: int  # add to a node's 0-based line to get the file's 1-based line

    def line_of(self, path: tuple) -> int | None:
        """File line of the value at `path`, or of its closest existing parent."""
        from yaml.nodes import MappingNode, SequenceNode

        node = self.node
        if node is None:
            return None
        for part in path:
            child = None
            if isinstance(node, MappingNode):
                child = next((v for k, v in node.value if k.value == str(part)), None)
                if child is None:  # point at the key itself when the value is absent
                    child = next((k for k, _ in node.value if k.value == str(part)), None)
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                child = node.value[part] if part < len(node.value) else None
            if child is None:
                break
            node = child
        return node.start_mark.line + self.line_offset


def _duplicate_keys(node, offset: int) -> list[tuple[int, str]]:
    from yaml.nodes import MappingNode, SequenceNode

    found = []
    if isinstance(node, MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                found.append((key.start_mark.line + offset, f"duplicate key '{key.value}'"))
            seen.add(key.value)
            found += _duplicate_keys(value, offset)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            found += _duplicate_keys(item, offset)
    return found


def parse_yaml(text: str, rel: str, line_offset: int = 1) -> tuple[YamlDocument | None, list]:
    """Parse YAML; returns (document, errors). `line_offset` is the file line of text's line 0."""
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + line_offset if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ContentError(rel, line, None, f"malformed YAML: {problem}")]
    finally:
        loader.dispose()
    errors = [
        ContentError(rel, line, None, msg) for line, msg in _duplicate_keys(node, line_offset)
    ]
    return YamlDocument(data, node, line_offset), errors


def split_front_matter(text: str, rel: str) -> tuple[str, str, int] | ContentError:
    """Return (front matter, body, file line where the body starts) or an error."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return ContentError(rel, 1, None, "file must start with a '---' front matter line")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return ContentError(rel, 1, None, "front matter is not closed by a '---' line")


def read_text(path: Path, rel: str) -> str | ContentError:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return ContentError(rel, None, None, f"not valid UTF-8 ({exc.reason})")
    except OSError as exc:
        return ContentError(rel, None, None, f"cannot read file: {exc.strerror}")


def flatten_messages(messages, path: tuple = ()):
    """Yield (path, message) pairs from marshmallow's nested error dict."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten_messages(value, path if key == "_schema" else path + (key,))
    elif isinstance(messages, list):
        for message in messages:
            yield from flatten_messages(message, path)
    else:
        yield path, str(messages)
