"""/v1/changes?since=<cursor>: what changed since an app last synced.

Without `since`, everything public is listed (as upserts, plus known removals) with a cursor;
with it, only entries created or updated since, and those removed (unpublished, renamed or
deleted). A cursor this server cannot compare (too old, another deployment's) gets the full
list with `meta.reset: true`: the app replaces its copy. Items name entries; the app then
fetches the details it needs, up to BULK_MAX at a time (`/v1/{collection}/_bulk?slug=a,b,c`).
Pages carry a token naming the state the sync started from, so a sync spanning a deploy still
describes one consistent state.
"""

from urllib.parse import urlencode

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields, validate

from schemas.common import COLLECTIONS
from schemas.output import ChangeListSchema
from schemas.queries import StrictSchema

from ..content.manifest import read_manifest
from ..contract import V1_HEADERS, get_ok
from ..delivery.caching import content_response
from .common import Blueprint, json_response, service

blp = Blueprint("changes", __name__, url_prefix="/v1/changes", description="Change feed.")


PER_PAGE = 1000  # items per page by default and at most: a 5,000-entry pack is 6 pages
TOKEN = r"^[0-9a-f]{16}\.[0-9]{1,7}$"


class ChangesArgs(StrictSchema):
    since = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9a-f]{16}$", error="not a cursor from this API"),
        metadata={"description": "The cursor of the previous sync"},
    )
    page_token = fields.String(
        load_default=None,
        validate=validate.Regexp(TOKEN, error="not a page token from this API"),
        metadata={"description": "From the previous page's `meta.next`; with the same `since`"},
    )
    per_page = fields.Integer(
        load_default=PER_PAGE,
        validate=validate.Range(min=1, max=PER_PAGE),
        metadata={"description": f"Items per page (at most {PER_PAGE})"},
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


def _manifest(state: str) -> dict | None:
    current = service().manifest
    if state == current["state"]:
        return current
    return read_manifest(current_app.config["INDEX_DIR"], state)


def _items(target: dict, since: str | None) -> tuple[list[dict], bool]:
    """Every change from `since` to the `target` state, in a stable order; and whether it is a
    reset (first sync, or a cursor this server cannot compare: everything)."""
    gone = target["gone"]
    old = None if since is None else _manifest(since)
    if old is None:
        items = [_upsert(k, v[1]) for k, v in sorted(target["entries"].items())]
        items += [_removal(k, v[1]) for k, v in sorted(gone.items())]
        return items, True
    now, before = target["entries"], old["entries"]
    items = [_upsert(k, v[1]) for k, v in sorted(now.items()) if before.get(k) != v]
    items += [_removal(k, (gone.get(k) or [None, None])[1]) for k in sorted(set(before) - set(now))]
    return items, False


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangesArgs, location="query", as_kwargs=True)
    @get_ok(blp, ChangeListSchema, V1_HEADERS, "listChanges")
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, since, page_token, per_page):
        """Entries created, updated or removed since a cursor

        Paged: while `meta.next` is not null, fetch it; store `meta.cursor` after the last
        page. Every page of one sync describes the same content state (the one the first page
        saw), even if the server is redeployed in between.
        """
        content_response()
        state, offset = service().manifest["state"], 0
        if page_token is not None:
            state, offset = page_token.split(".")[0], int(page_token.split(".")[1])
        target = _manifest(state)
        if target is None:
            abort(404, message="This sync's content state is no longer kept; start it again.")
        items, reset = _items(target, since)
        end = offset + per_page
        following = None
        if end < len(items):
            query = [("page_token", f"{state}.{end}"), ("per_page", per_page)]
            if since is not None:
                query.insert(0, ("since", since))
            following = f"/v1/changes?{urlencode(query)}"
        meta = {"cursor": state, "since": since, "reset": reset}
        meta |= {"total": len(items), "next": following}
        return json_response({"items": items[offset:end], "meta": meta})
