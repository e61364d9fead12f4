"""Application factory: `create_app(config=None)` is the only way an app is made."""

import errno
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from flask import Flask
from flask.json.provider import JSONProvider

from . import contract, delivery, discovery, ops, partners, v1
from .cli import register_cli
from .config import Config, from_environment
from .content.fingerprint import content_version, stat_fingerprint
from .content.manifest import cached_manifest, record_manifest
from .content.snapshot import (
    first_seen,
    known_version,
    read_snapshot,
    remember_version,
    write_snapshot,
)
from .content.store import Store
from .gcpause import collector_paused
from .prepare import take_fingerprint
from .problems import ProblemApi
from .representations import Representations, code_fingerprint
from .search import SearchBackend
from .search.cache import PageCache
from .search.index import MANIFEST_FILE, STORE_FILE, index_path, open_or_build
from .search.versions import IndexDirError
from .sessions import NoSessions

# OSError numbers meaning "INDEX_DIR cannot take what start-up writes" (an operator's to fix)
UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT}


class OrjsonProvider(JSONProvider):
    """Flask's JSON through orjson: the same serialiser as the precomputed responses."""

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)


@dataclass
class ContentService:
    """Everything requests read, built once per app: never mutated after start-up."""

    store: Store
    representations: Representations
    search: SearchBackend
    # per worker, (body, ETag) of search pages, bounded in bytes (SEARCH_CACHE_MB): search/cache.py
    search_pages: PageCache = field(default_factory=lambda: PageCache(Config.SEARCH_CACHE_MB))
    manifest: dict = field(default_factory=dict)  # this state's entries, for the change feed


def _load_content(content_dir: str, index_dir: str) -> tuple[Store, bool]:
    """(store, from snapshot): the snapshot of unchanged content when one exists, else a full
    load and validation.

    Unchanged files (same names, sizes and modification times as at an earlier start) are not
    re-read to compute their hash: the version recorded then is used.
    """
    fingerprint = take_fingerprint(content_dir) or stat_fingerprint(content_dir)
    version = known_version(index_dir, fingerprint) or content_version(content_dir)
    snapshot = index_path(Path(index_dir), version) / STORE_FILE
    store = read_snapshot(snapshot, version)
    from_snapshot = store is not None
    if not from_snapshot:
        # imported here: the Markdown and YAML machinery is only needed for a full load
        from .content.loader import load_store

        store = load_store(content_dir)
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    remember_version(index_dir, fingerprint, store.version)
    return store, from_snapshot


class App(Flask):
    session_interface = NoSessions()  # api/sessions.py

    def ensure_sync(self, func):
        # No view is async, so Flask's per-call coroutine check (run 14 times a request through
        # flask-smorest's stacked decorators) is skipped.
        return func


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Raises ContentErrors (listing every problem) when content is invalid."""
    with collector_paused():  # start-up allocates millions of long-lived objects: see gcpause
        return _create_app(config)


def _create_app(config: dict | None) -> Flask:
    app = App(__name__)
    app.config.from_object(Config)
    app.config.update(from_environment())
    app.config.update(config or {})
    app.json = OrjsonProvider(app)

    try:
        return _with_content(app)
    except OSError as exc:
        index_dir = Path(app.config["INDEX_DIR"]).resolve()
        written = Path(exc.filename or "/").resolve()
        if exc.errno not in UNWRITABLE or not written.is_relative_to(index_dir):
            raise
        raise IndexDirError(
            f"INDEX_DIR {app.config['INDEX_DIR']} cannot be written ({exc.strerror}: "
            f"{exc.filename}); this content's index is not there, or is damaged. Make it writable, "
            "or build "
            "the index into it (flask search reindex) before mounting it read-only."
        ) from None


def _with_content(app: Flask) -> Flask:
    """Load the content, open (or build) its index, and finish the app around them. Writes to
    INDEX_DIR only what is missing there: a read-only INDEX_DIR works for content it holds."""
    store, from_snapshot = _load_content(app.config["CONTENT_DIR"], app.config["INDEX_DIR"])
    search = open_or_build(
        store,
        app.config["INDEX_DIR"],
        time_limit=app.config["SEARCH_TIME_LIMIT"],
        procs=app.config["SEARCH_BUILD_PROCS"],
    )
    search.terms_cache_bytes = int(app.config["SEARCH_TERMS_CACHE_MB"] * 1024 * 1024)
    representations = Representations(store, app.config["SITE_URL"])
    manifest = cached_manifest(
        store,
        search.path / MANIFEST_FILE,
        representations.revision,
        f"{representations.site_url}|{code_fingerprint()}",
    )
    representations.revisions = {key: value[0] for key, value in manifest["entries"].items()}
    app.extensions["content"] = ContentService(
        store=store,
        representations=representations,
        search=search,
        search_pages=PageCache(app.config["SEARCH_CACHE_MB"]),
        manifest=manifest,
    )
    record_manifest(app.extensions["content"].manifest, app.config["INDEX_DIR"])
    app.extensions["content_seen_at"] = first_seen(app.config["INDEX_DIR"], store.version)
    if not from_snapshot:  # e.g. an index kept from an older snapshot format: refresh it
        write_snapshot(store, index_path(Path(app.config["INDEX_DIR"]), store.version) / STORE_FILE)
    api = ProblemApi(app)
    v1.register(api)
    api.register_blueprint(ops.blp)
    api.register_blueprint(discovery.blp)
    api.document_common_errors()
    contract.document(api, app)
    delivery.init_before(app)
    partners.init_app(app)
    delivery.init_after(app)  # its hooks call the limiter partners.init_app made
    register_cli(app)
    return app
