"""Content rules that keep patient pages safe, checked at load like any other content error.

- A page's `urgent_help` keys must name services in site.yaml's `urgent_help` block, so a typo
  can never silently drop a crisis line from a page.
- A medication page (`kind: medication`) must carry the sections readers and apps look for by
  key: who should not use it, interactions, pregnancy and breastfeeding. Stable keys let the
  website and the app show them in the same place on every medicine page.
"""

from .files import ContentError

MEDICATION_SECTIONS = {
    "who-should-not-use": "Who should not use it",
    "interactions": "Interactions",
    "pregnancy-and-breastfeeding": "Pregnancy and breastfeeding",
}


def check_urgent_help(entries, site, lines: dict, errors: list) -> None:
    if site is None:  # site.yaml itself failed; its errors are already listed
        return
    known = {item["key"] for item in site["urgent_help"]}
    for by_slug in entries.values():
        for entry in by_slug.values():
            for index, key in enumerate(entry.urgent_help):
                if key not in known:
                    line = lines.get((entry.source, "urgent_help", index))
                    message = f"no urgent_help service '{key}' in site.yaml"
                    errors.append(ContentError(entry.source, line, "urgent_help", message))


def check_medication_sections(entry, body_line: int, errors: list) -> None:
    if getattr(entry, "kind", None) != "medication":
        return
    keys = {section.key for section in entry.body.sections}
    for key, title in MEDICATION_SECTIONS.items():
        if key not in keys:
            message = f"a medication page needs the section '## {title} {{#{key}}}'"
            errors.append(ContentError(entry.source, body_line, "body", message))
