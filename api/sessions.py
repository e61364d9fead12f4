"""No sessions: this API keeps no per-client state in cookies and never sets one.

Flask opens a session for every request through `app.session_interface`, its documented place
for a custom one. Its default (signed cookies) finds no SECRET_KEY and builds a new empty
NullSession each time; this interface hands every request the same NullSession instead. A
NullSession refuses every change (Flask raises a RuntimeError naming the missing secret key),
so sharing one is safe, and no Set-Cookie can ever be sent (tests/test_sessions.py).
"""

from flask.sessions import NullSession, SessionInterface


class NoSessions(SessionInterface):
    def __init__(self):
        self.null = NullSession()

    def open_session(self, app, request) -> NullSession:
        return self.null

    def save_session(self, app, session, response) -> None:
        """Never called: Flask skips saving a null session (is_null_session)."""
