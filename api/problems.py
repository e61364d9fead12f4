"""One error shape for the whole API: RFC 9457 problem details (application/problem+json).

Every error, whether from `abort()`, webargs validation, routing (404/405) or an unhandled
exception (500), passes through `problem_response`, so clients parse exactly one shape.
"""

from http import HTTPStatus

import orjson
from flask import request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from schemas.output import ProblemSchema

from .delivery.response import ApiResponse

PROBLEM_TYPE = "application/problem+json"

_DETAILS = {
    404: "No such resource.",
    405: "This method is not allowed on this resource.",
    500: "The server failed to handle this request; it has been logged.",
}


def _field_errors(messages) -> list[dict]:
    """webargs' {location: {field: [messages]}} → [{location, field, message}]."""
    errors = []
    for location, fields in (messages or {}).items():
        if not isinstance(fields, dict):
            errors.append({"location": location, "field": "", "message": str(fields)})
            continue
        for field, problems in fields.items():
            if isinstance(problems, dict):  # list fields report per index
                problems = [m for sub in problems.values() for m in sub]
            for message in problems if isinstance(problems, list) else [problems]:
                errors.append({"location": location, "field": str(field), "message": str(message)})
    return errors


def problem_body(status: int, title: str, detail: str, errors=None, **extra) -> dict:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.path
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_response(error: HTTPException) -> ApiResponse:
    if error.response is not None:  # raised with a finished problem (e.g. the 429 of ratelimit)
        return error.response
    # Flask has already logged an unhandled exception (with its traceback) before this runs.
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    errors = data.get("errors") or _field_errors(data.get("messages"))
    if status == 500:
        detail = _DETAILS[500]  # never a traceback or exception text
    elif errors and not data.get("message"):
        detail = "; ".join(f"{e['field'] or '(unnamed)'}: {e['message']}" for e in errors)
    else:
        detail = data.get("message") or _DETAILS.get(status) or error.description or error.name
    body = problem_body(status, error.name, detail, errors, **data.get("extra", {}))
    response = ApiResponse(orjson.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # keeps Allow on 405
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


class ProblemApi(Api):
    """flask-smorest Api whose errors, and their documentation, are problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return problem_response(error)

    def _register_responses(self):
        # Same as flask-smorest's, but documenting errors as problem+json.
        for status in HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def document_common_errors(self) -> None:
        """Errors any operation can answer, added to every documented operation: a bad or
        revoked key (401), a key used from a foreign origin (403), a rate limit (429), a
        retired API version (410), and `default` for the rest (405, 500…)."""
        common = {
            "401": "UNAUTHORIZED",
            "403": "FORBIDDEN",
            "410": "GONE",
            "429": "TOO_MANY_REQUESTS",
            "default": self.DEFAULT_ERROR_RESPONSE_NAME,
        }
        for operations in self.spec._paths.values():  # noqa: SLF001 - apispec keeps no public view
            for method, operation in operations.items():
                if method == "parameters":
                    continue
                responses = operation.setdefault("responses", {})
                for status, name in common.items():
                    responses.setdefault(status, self.spec.components.get_ref("response", name))
