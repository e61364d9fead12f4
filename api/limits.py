"""Request-target length: a URL longer than MAX_URL_LENGTH is a 414 problem+json.

gunicorn's own request-line limit (gunicorn.conf.py) sits well above this one, so every URL up
to that size reaches the app and gets the API's one error shape; only request lines past
gunicorn's maximum (8190 bytes, nginx's default too) are refused before the app with the
server's own page (README, "Deployment notes").
"""

from flask_smorest import abort

# Characters of path and query string, as sent (percent-encoded). Browsers and CDNs handle far
# longer, but no request to this API needs more: the longest valid query (a search of 200
# characters with every filter) stays under 1,000.
MAX_URL_LENGTH = 4096


def request_target_length(environ) -> int:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")  # gunicorn / werkzeug
    if raw is not None:
        return len(raw)
    query = environ.get("QUERY_STRING", "")
    return len(environ.get("PATH_INFO", "")) + (len(query) + 1 if query else 0)


def refuse_long_urls(environ) -> None:
    """A step of the delivery before hook, after the rate limit (api/delivery/__init__.py)."""
    raw = environ.get("RAW_URI")  # gunicorn's: the common case without a call
    length = len(raw) if raw is not None else request_target_length(environ)
    if length > MAX_URL_LENGTH:
        abort(
            414,
            message=f"The URL is {length} characters long; this API accepts at most "
            f"{MAX_URL_LENGTH}.",
        )
