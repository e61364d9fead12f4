"""/v1/changes?since=<cursor>: what changed since an app last synced.

Without `since`, everything public is listed (as upserts, plus known removals) with a cursor;
with it, only entries created or updated since, and those removed (unpublished, renamed or
deleted). A cursor this server cannot compare (too old, another deployment's) gets the full
list with `meta.reset: true`: the app replaces its copy. Items name entries; the app then
fetches the details it needs.
"""

from flask import current_app
from flask.views import MethodView
from marshmallow import fields, validate

from schemas.common import COLLECTIONS
from schemas.output import ChangeListSchema
from schemas.queries import StrictSchema

from ..content.manifest import read_manifest
from ..contract import V1_HEADERS, headers, not_modified
from ..delivery.caching import content_response
from .common import Blueprint, json_response, service

blp = Blueprint("changes", __name__, url_prefix="/v1/changes", description="Change feed.")


class ChangesArgs(StrictSchema):
    since = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9a-f]{16}$", error="not a cursor from this API"),
        metadata={"description": "The cursor of the previous sync"},
    )


def _path(key: str) -> str:
    kind, slug = key.split(":", 1)
    return f"/v1/{COLLECTIONS[kind]}/{slug}"


def _upsert(key: str, updated: str) -> dict:
    kind, slug = key.split(":", 1)
    return {"change": "upsert", "type": kind, "slug": slug, "url": _path(key), "updated": updated}


def _removal(key: str, moved_to: str | None) -> dict:
    kind, slug = key.split(":", 1)
    moved = _path(moved_to) if moved_to else None
    return {"change": "remove", "type": kind, "slug": slug, "url": None, "moved_to": moved}


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangesArgs, location="query", as_kwargs=True)
    @blp.response(200, ChangeListSchema, headers=headers(V1_HEADERS))
    @not_modified(blp, V1_HEADERS)
    @blp.doc(operationId="listChanges")
    @blp.alt_response(400, response="BAD_REQUEST")
    def get(self, since):
        """Entries created, updated or removed since a cursor"""
        current = service().manifest
        content_response()
        gone = current["gone"]
        old = None
        if since is not None and since != current["state"]:
            old = read_manifest(current_app.config["INDEX_DIR"], since)
        reset = since is None or (since != current["state"] and old is None)
        if reset:  # first sync, or a cursor too old to compare: everything, flagged as a reset
            items = [_upsert(k, v[1]) for k, v in sorted(current["entries"].items())]
            items += [_removal(k, v[1]) for k, v in sorted(gone.items())]
        elif old is None:
            items = []
        else:
            now, before = current["entries"], old["entries"]
            items = [_upsert(k, v[1]) for k, v in sorted(now.items()) if before.get(k) != v]
            items += [
                _removal(k, (gone.get(k) or [None, None])[1])
                for k in sorted(set(before) - set(now))
            ]
        meta = {"cursor": current["state"], "since": since, "reset": reset}
        body = {"items": items, "meta": meta}
        return json_response(body)
