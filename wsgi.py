"""WSGI entry point: `gunicorn wsgi:app`. Invalid content stops start-up with every error listed."""

import sys

from api import create_app
from api.content.files import ContentErrors
from api.partners.keys import PartnerKeysError
from api.prepare import build_in_child
from api.search.versions import IndexDirError

# New content is loaded and indexed in a child first, so this process (gunicorn's master, whose
# heap every worker inherits) starts from the snapshot it leaves: api/prepare.py.
build_in_child()
try:
    app = create_app()
except ContentErrors as exc:
    print(f"Refusing to start: {len(exc.errors)} content error(s):", file=sys.stderr)
    print(exc.report(), file=sys.stderr)
    raise SystemExit(1) from None
except PartnerKeysError as exc:
    print(f"Refusing to start: partner keys: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
except IndexDirError as exc:
    print(f"Refusing to start: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
