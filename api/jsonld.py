"""schema.org JSON-LD for every entry: a MedicalWebPage about a MedicalCondition or a
MedicalTherapy; articles are both MedicalWebPage and Article. `lastReviewed` and `reviewedBy`
appear only when the clinic has recorded a review: they are never invented."""

from .content.store import Entry, Site

ABOUT = {"condition": "MedicalCondition", "treatment": "MedicalTherapy"}


def json_ld(entry: Entry, site: Site, canonical_url: str, site_url: str, related: dict) -> dict:
    document = {
        "@context": "https://schema.org",
        "@type": ["MedicalWebPage", "Article"] if entry.type == "article" else "MedicalWebPage",
        "name": entry.title,
        "headline": entry.title,
        "description": entry.summary,
        "url": canonical_url,
        "inLanguage": "en",
        "datePublished": entry.published.isoformat(),
        "dateModified": entry.updated.isoformat(),
        "publisher": {"@type": "MedicalOrganization", "name": site.name, "url": site_url},
        "license": site.licence.get("url") or site.licence["name"],
        "keywords": list(entry.tags),
    }
    review = entry.review
    if review.last_reviewed:
        document["lastReviewed"] = review.last_reviewed.isoformat()
    if review.reviewer:
        document["reviewedBy"] = {"@type": "Person", "name": review.reviewer["name"]}
    if entry.type in ABOUT:
        about = {"@type": ABOUT[entry.type], "name": entry.title}
        if entry.type == "condition" and entry.also_known_as:
            about["alternateName"] = list(entry.also_known_as)
        document["about"] = about
    else:
        document["about"] = [
            {"@type": "MedicalCondition", "name": item["title"]}
            for item in related.get("conditions", [])
        ] + [
            {"@type": "MedicalTherapy", "name": item["title"]}
            for item in related.get("treatments", [])
        ]
    return document
