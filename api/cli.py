"""Flask CLI commands: `flask --app wsgi content check`."""

import click
from flask import Flask

from .content.files import ContentErrors
from .content.loader import load_store


def register_cli(app: Flask) -> None:
    content = click.Group("content", help="Content pack commands.")

    @content.command("check")
    @click.option("--content-dir", default=None, help="Directory to check (default: CONTENT_DIR).")
    def check(content_dir):
        """Validate every content file without serving; exit 1 listing all errors."""
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
