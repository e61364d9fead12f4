"""Operations endpoints outside /v1: liveness and readiness for load balancers and deploys."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from schemas.output import HealthSchema, ReadinessSchema
from schemas.queries import EmptyArgs

from .contract import PROBE_HEADERS, get_ok
from .v1.common import Blueprint, json_response, service

blp = Blueprint("ops", __name__, description="Liveness and readiness probes.")


@blp.route("/healthz")
class Health(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(blp, HealthSchema, PROBE_HEADERS, "getHealth")
    def get(self, _args):
        """Is the process alive\n\nAnswers as long as the worker can serve a request."""
        return json_response({"status": "ok"}, headers={"Cache-Control": "no-store"})


@blp.route("/readyz")
class Ready(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(blp, ReadinessSchema, PROBE_HEADERS, "getReadiness")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self, _args):
        """Can this worker serve traffic

        Content is loaded, the search index is open in this worker, its directory is in place
        and readable, and it holds exactly the store's public entries.
        """
        svc = service()
        entries = svc.store.count()
        try:
            indexed = svc.search.document_count()
            svc.search.check()  # its directory still there, its files still readable
        except Exception as exc:  # noqa: BLE001 - any failure to read the index means "not ready"
            current_app.logger.warning("not ready: search index: %s: %s", type(exc).__name__, exc)
            abort(503, message="The search index is missing or damaged.")
        if indexed != entries:
            abort(503, message=f"The search index holds {indexed} documents, the store {entries}.")
        body = {
            "status": "ready",
            "content_version": svc.store.version,
            "entries": entries,
            "indexed": indexed,
        }
        return json_response(body, headers={"Cache-Control": "no-store"})
