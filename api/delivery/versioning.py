"""API version headers, deprecation (RFC 9745) and sunset (RFC 8594).

Each version prefix (/v1, later /v2) reads its own settings: `V1_DEPRECATION` (when it was or
will be deprecated), `V1_SUNSET` (when it stops answering) and `V1_DEPRECATION_LINK` (a page
explaining the migration). After the sunset every request under the prefix answers 410.
"""

import re
from datetime import UTC, datetime

from flask import Response, current_app, request
from flask_smorest import abort
from werkzeug.http import http_date

_PREFIX = re.compile(r"^/(v\d+)(?:/|$)")


def _moment(value: str) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def any_sunset(policies: dict) -> bool:
    """Whether any version has a sunset: if none, no request can be refused for one."""
    return any(sunset for _, sunset, _ in policies.values())


def policies(config) -> dict:
    """Per version prefix: (deprecated, sunset, link), parsed once from the settings."""
    found = {}
    for key in config:
        match = re.fullmatch(r"(V\d+)_(DEPRECATION|SUNSET|DEPRECATION_LINK)", key)
        if match:
            name = match.group(1)
            found[name.lower()] = (
                _moment(config.get(f"{name}_DEPRECATION", "")),
                _moment(config.get(f"{name}_SUNSET", "")),
                config.get(f"{name}_DEPRECATION_LINK", ""),
            )
    return found


def _policy():
    match = _PREFIX.match(request.path)
    if not match:
        return None, None, None, ""
    version = match.group(1)
    deprecated, sunset, link = current_app.extensions["version_policies"].get(
        version, (None, None, "")
    )
    return version, deprecated, sunset, link


def _links(deprecated, sunset, link) -> list[str]:
    links = []
    if link and deprecated:
        links.append(f'<{link}>; rel="deprecation"; type="text/html"')
    if link and sunset:
        links.append(f'<{link}>; rel="sunset"; type="text/html"')
    return links


def refuse_after_sunset() -> None:
    version, deprecated, sunset, link = _policy()
    if sunset and datetime.now(UTC) >= sunset:
        headers = {"Sunset": http_date(sunset)}
        if links := _links(deprecated, sunset, link):
            headers["Link"] = ", ".join(links)
        abort(
            410,
            message=f"API {version} was retired on {http_date(sunset)}; see the versioning policy.",
            headers=headers,
        )


def add_version_headers(response: Response) -> None:
    version, deprecated, sunset, link = _policy()
    if not version:
        return
    response.headers["X-API-Version"] = version.lstrip("v")
    if deprecated:
        response.headers["Deprecation"] = f"@{int(deprecated.timestamp())}"
    if sunset:
        response.headers["Sunset"] = http_date(sunset)
    links = _links(deprecated, sunset, link)
    if links:
        existing = response.headers.get("Link")
        response.headers["Link"] = ", ".join(([existing] if existing else []) + links)
