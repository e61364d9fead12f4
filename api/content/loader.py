"""Build the Store from a content directory, collecting every error before refusing to start."""

import hashlib
from datetime import date
from pathlib import Path

from marshmallow import ValidationError

from schemas.common import COLLECTIONS
from schemas.frontmatter import FRONT_MATTER_SCHEMAS, RedirectSchema, SiteSchema, TagSchema

from ..gcpause import collector_paused
from .files import (
    ContentError,
    ContentErrors,
    flatten_messages,
    parse_yaml,
    read_text,
    split_front_matter,
)
from .fingerprint import content_files, content_version
from .relations import resolve
from .render import MarkdownError, render_markdown, render_rich_text
from .safety import check_medication_sections, check_urgent_help
from .store import ENTRY_CLASSES, Faq, Gone, Review, Shared, Site, Store, Tag, frozen_map

WORDS_PER_MINUTE = 200
_SCHEMAS = {kind: schema() for kind, schema in FRONT_MATTER_SCHEMAS.items()}  # built once: costly


def _validate(schema, document, rel: str, errors: list):
    """Load `document.data` with `schema`; on failure record each message with its line."""
    if not isinstance(document.data, dict):
        errors.append(ContentError(rel, document.line_of(()), None, "expected a YAML mapping"))
        return None
    try:
        return schema.load(document.data)
    except ValidationError as exc:
        for path, message in flatten_messages(exc.messages):
            field = ".".join(str(p) for p in path) or None
            errors.append(ContentError(rel, document.line_of(path), field, message))
        return None


def _common_fields(data: dict, rendered, rel: str, digest: str) -> dict:
    review = data["review"]
    words = len(rendered.text.split())
    return {
        "summary": data["summary"],
        "status": data["status"],
        "published": data["published"],
        "updated": data["updated"] or data["published"],
        "tags": tuple(data["tags"]),
        "review": Review(
            status=review["status"],
            last_reviewed=review["last_reviewed"],
            next_review_due=review["next_review_due"],
            reviewer=frozen_map(review["reviewer"]) if review["reviewer"] else None,
        ),
        "faq": tuple(Faq(f["question"], render_rich_text(f["answer"])) for f in data["faq"]),
        "body": rendered,
        "source": rel,
        "digest": digest,
        "reading_time": max(1, round(words / WORDS_PER_MINUTE)),
        "urgent_help": tuple(data["urgent_help"]),
    }


def _type_fields(kind: str, data: dict) -> dict:
    if kind == "article":
        return {
            "title": data["title"],
            "conditions": tuple(data["conditions"]),
            "treatments": tuple(data["treatments"]),
        }
    if kind == "condition":
        return {
            "title": data["name"],
            "also_known_as": tuple(data["also_known_as"]),
            "quick_facts": tuple(frozen_map(f) for f in data["quick_facts"]),
            "related_conditions": tuple(data["related_conditions"]),
        }
    notes = data["evidence_notes"]
    return {
        "title": data["name"],
        "kind": data["kind"],
        "how_it_works": render_rich_text(data["how_it_works"]),
        "what_to_expect": frozen_map(data["what_to_expect"]),
        "side_effects": tuple(frozen_map(s) for s in data["side_effects"]),
        "conditions": tuple(data["conditions"]),
        "evidence_notes": render_rich_text(notes) if notes else None,
    }


_REFERENCE_FIELDS = ("tags", "conditions", "treatments", "related_conditions", "urgent_help")


def _load_entry(
    kind: str, path: Path, rel: str, raw: bytes, errors: list, lines: dict, shared: Shared
):
    text = read_text(path, rel)
    if isinstance(text, ContentError):
        return errors.append(text)
    parts = split_front_matter(text, rel)
    if isinstance(parts, ContentError):
        return errors.append(parts)
    front, body, body_line = parts
    document, yaml_errors = parse_yaml(front, rel, line_offset=2)
    errors += yaml_errors
    if document is None:
        return None
    data = _validate(_SCHEMAS[kind], document, rel, errors)
    try:
        rendered = render_markdown(body, first_line=body_line)
    except MarkdownError as exc:
        errors += [ContentError(rel, line, "body", message) for line, message in exc.problems]
        return None
    if data is None or yaml_errors:
        return None
    data["slug"] = data["slug"] or path.stem
    for name in _REFERENCE_FIELDS:  # remembered so reference errors found later carry a line
        for index in range(len(data.get(name, ()))):
            lines[(rel, name, index)] = document.line_of((name, index))
    digest = hashlib.sha256(raw).hexdigest()[:16]
    fields = shared.fields(_common_fields(data, rendered, rel, digest) | _type_fields(kind, data))
    entry = ENTRY_CLASSES[kind](slug=data["slug"], **fields)
    check_medication_sections(entry, body_line, errors)
    return entry


def _load_yaml_file(path: Path, rel: str, schema, errors: list):
    if not path.is_file():
        return errors.append(ContentError(rel, None, None, "required file is missing"))
    text = read_text(path, rel)
    if isinstance(text, ContentError):
        return errors.append(text)
    document, yaml_errors = parse_yaml(text, rel, line_offset=1)
    errors += yaml_errors
    if document is None:
        return None
    if schema.many and not isinstance(document.data, list):
        return errors.append(ContentError(rel, 1, None, "expected a YAML list"))
    if schema.many:
        return _load_list(schema, document, rel, errors)
    return _validate(schema, document, rel, errors)


def _load_list(schema, document, rel: str, errors: list):
    try:
        return schema.load(document.data)
    except ValidationError as exc:
        for path, message in flatten_messages(exc.messages):
            field = ".".join(str(p) for p in path[1:]) or None
            errors.append(ContentError(rel, document.line_of(path), field, message))
        return None


def _split(path: str) -> tuple[str, str]:
    collection, slug = path.split("/", 1)
    return collection[:-1], slug


def _load_redirects(root: Path, entries: dict, errors: list) -> dict:
    """content/redirects.yaml (optional): renamed pages answer 301, removed ones 410."""
    if not (root / "redirects.yaml").is_file():
        return {}
    rel = "redirects.yaml"
    loaded = _load_yaml_file(root / rel, rel, RedirectSchema(many=True), errors) or []
    gone = {}
    for index, item in enumerate(loaded):
        old = _split(item["from_"] or item["removed"])
        target = _split(item["to"]) if item["to"] else None
        where = f"{index}.{'from' if target else 'removed'}"
        if old[1] in entries[old[0]]:
            message = f"{old[0]} '{old[1]}' still exists; remove the file or this line"
            errors.append(ContentError(rel, None, where, message))
        if target and target[1] not in entries[target[0]]:
            errors.append(ContentError(rel, None, f"{index}.to", f"no {target[0]} '{target[1]}'"))
        gone[old] = Gone(old[0], old[1], item["date"], target, item["reason"])
    return gone


def _site(data: dict) -> Site:
    lists = ("calls_to_action", "urgent_help", "practical_questions", "to_confirm")
    frozen = {name: tuple(frozen_map(item) for item in data[name]) for name in lists}
    return Site(**{**data, **frozen, "licence": frozen_map(data["licence"])})


def load_store(content_dir: str | Path, today: date | None = None) -> Store:
    """Read, validate and render every content file; raise ContentErrors listing all problems."""
    with collector_paused():
        return _load_store(Path(content_dir), today)


def _load_store(root: Path, today: date | None) -> Store:
    errors: list[ContentError] = []
    if not root.is_dir():
        raise ContentErrors([ContentError(str(root), None, None, "content directory not found")])
    site = _load_yaml_file(root / "site.yaml", "site.yaml", SiteSchema(), errors)
    tags = _load_yaml_file(root / "tags.yaml", "tags.yaml", TagSchema(many=True), errors) or []
    entries: dict[str, dict] = {kind: {} for kind in COLLECTIONS}
    seen: dict[tuple[str, str], str] = {}
    lines: dict = {}
    shared = Shared()  # for this load only
    for kind, rel, path in content_files(root):
        if kind is None:
            continue
        if path.suffix != ".md" or not path.is_file():
            errors.append(ContentError(rel, None, None, "unexpected file: entries are .md"))
            continue
        entry = _load_entry(kind, path, rel, path.read_bytes(), errors, lines, shared)
        if entry is None:
            continue
        if (kind, entry.slug) in seen:
            first = seen[(kind, entry.slug)]
            msg = f"duplicate {kind} slug '{entry.slug}' (also used by {first})"
            errors.append(ContentError(rel, None, "slug", msg))
            continue
        seen[(kind, entry.slug)] = rel
        entries[kind][entry.slug] = entry
    tag_map = {}
    for tag in tags:
        if tag["slug"] in tag_map:
            errors.append(ContentError("tags.yaml", None, "slug", f"duplicate tag '{tag['slug']}'"))
        tag_map[tag["slug"]] = Tag(tag["slug"], tag["label"], tag["description"])
    gone = _load_redirects(root, entries, errors)
    check_urgent_help(entries, site, lines, errors)
    relations = resolve(entries, tag_map, today or date.today(), errors, lines)
    if errors:
        raise ContentErrors(errors)
    return Store(
        site=_site(site),
        tags=frozen_map(tag_map),
        entries=frozen_map({k: frozen_map(v) for k, v in entries.items()}),
        public=relations.public,
        related=relations.related,
        tagged=relations.tagged,
        version=content_version(root),
        gone=frozen_map(gone),
        loaded_on=today or date.today(),
    )
