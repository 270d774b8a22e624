"""The `defcoop` command line: each command parses its options and calls the library."""

import typer

from app.cli.common import open_factory, sample_path
from app.cli.db import db_cli
from app.cli.extract import extract_command, reextract
from app.cli.index import recluster, reindex
from app.cli.ingest import ingest, ingest_paths
from app.cli.keys import keys_cli
from app.cli.serve import demo, serve

cli = typer.Typer(
    help="defcoop: news about defence cooperation, as a REST API.", no_args_is_help=True
)
cli.command()(serve)
cli.add_typer(db_cli, name="db")
cli.command()(ingest)
cli.command("extract")(extract_command)
cli.command()(reextract)
cli.command()(reindex)
cli.command()(recluster)
cli.add_typer(keys_cli, name="keys")
cli.command()(demo)

__all__ = ["cli", "ingest_paths", "main", "open_factory", "sample_path"]


def main() -> None:
    """Run the command line."""
    cli()
