"""Flask CLI commands: `flask --app wsgi content check` and `flask --app wsgi search reindex`."""

import click
from flask import Flask
from marshmallow import ValidationError

from schemas.common import COLLECTIONS

from .content.files import ContentErrors
from .partners.keys import (
    Partner,
    append_partner,
    check_rate_limit,
    hash_key,
    new_key,
    revoke_partner,
)
from .partners.preview import make_token
from .search.index import BUILD_STEPS, open_or_build


def register_cli(app: Flask) -> None:
    content = click.Group("content", help="Content pack commands.")

    @content.command("check")
    @click.option("--content-dir", default=None, help="Directory to check (default: CONTENT_DIR).")
    def check(content_dir):
        """Validate every content file without serving; exit 1 listing all errors."""
        from .content.loader import load_store  # the full loader: only needed here

        directory = content_dir or app.config["CONTENT_DIR"]
        try:
            store = load_store(directory)
        except ContentErrors as exc:
            click.echo(f"{len(exc.errors)} content error(s) in {directory}:", err=True)
            click.echo(exc.report(), err=True)
            raise SystemExit(1) from None
        counts = ", ".join(f"{len(v)} {k}s" for k, v in store.entries.items())
        click.echo(f"OK: {counts}, {len(store.tags)} tags (version {store.version})")

    app.cli.add_command(content)

    search = click.Group("search", help="Search index commands.")

    @search.command("reindex")
    def reindex():
        """Rebuild the search index from the content (atomic swap; readers keep working)."""
        store = app.extensions["content"].store
        label = f"Indexing {store.count()} documents"
        with click.progressbar(length=BUILD_STEPS, label=label) as bar:
            last = [0]

            def progress(done):
                bar.update(done - last[0])
                last[0] = done

            backend = open_or_build(
                store,
                app.config["INDEX_DIR"],
                time_limit=app.config["SEARCH_TIME_LIMIT"],
                procs=app.config["SEARCH_BUILD_PROCS"],
                force=True,
                progress=progress,
            )
        click.echo(f"Indexed {backend.document_count()} documents into {backend.path}")

    app.cli.add_command(search)
    register_partner_cli(app)
    register_preview_cli(app)


def register_partner_cli(app: Flask) -> None:
    partners = click.Group("partners", help="Partner API keys.")

    @partners.command("issue")
    @click.argument("name")
    @click.option("--origin", "origins", multiple=True, help="Allowed browser origin (repeat).")
    @click.option("--limit", default=None, help='Rate limit, e.g. "6000 per minute".')
    def issue(name, origins, limit):
        """Create a key for NAME: prints it once, stores only its hash."""
        if limit:
            try:
                check_rate_limit(limit)
            except ValidationError as exc:
                raise click.BadParameter(exc.messages[0], param_hint="--limit") from None
        key = new_key()
        partner = Partner(name, hash_key(key), tuple(origins), limit, False)
        append_partner(app.config["PARTNER_KEYS_FILE"], partner)
        click.echo(f"Key for {name} (shown once; only its hash is stored):\n{key}")

    @partners.command("revoke")
    @click.argument("name")
    def revoke(name):
        """Mark NAME's key revoked (takes effect at the next start)."""
        if not revoke_partner(app.config["PARTNER_KEYS_FILE"], name):
            raise click.ClickException(f"no partner named {name!r}")
        click.echo(f"Revoked {name}.")

    @partners.command("list")
    def list_partners():
        """Names, origins, limits and status (never keys)."""
        for partner in app.extensions["partners"].values():
            status = "revoked" if partner.revoked else "active"
            origins = ", ".join(partner.origins) or "any origin"
            click.echo(f"{partner.name}\t{status}\t{partner.rate_limit or 'default'}\t{origins}")

    app.cli.add_command(partners)


def register_preview_cli(app: Flask) -> None:
    preview = click.Group("preview", help="Preview tokens for drafts.")

    @preview.command("token")
    @click.argument("path")
    @click.option("--minutes", default=60, show_default=True, help="How long the token works.")
    def token(path, minutes):
        """Sign a token for PATH, e.g. articles/my-draft (needs PREVIEW_SECRET)."""
        secret = app.config["PREVIEW_SECRET"]
        if not secret:
            raise click.ClickException("set PREVIEW_SECRET first")
        collection, _, slug = path.partition("/")
        kinds = {c: k for k, c in COLLECTIONS.items()}
        if collection not in kinds or not slug:
            raise click.ClickException("PATH must be articles/<slug>, conditions/… or treatments/…")
        click.echo(make_token(secret, kinds[collection], slug, minutes))

    app.cli.add_command(preview)
