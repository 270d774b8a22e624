"""`defcoop keys`: API keys."""

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app.cli.common import say, with_session
from app.errors import AppError
from app.services.keys import Scope, create_key, list_keys, revoke_key

keys_cli = typer.Typer(help="API keys: every write needs one.", no_args_is_help=True)


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what the key is for")],
    scope: Annotated[
        Scope, typer.Option(help="read, or write (which can also read)")
    ] = Scope.write,
) -> None:
    """Create a key and print it. It is shown this once: only its hash is kept."""
    made = with_session(lambda s: create_key(s, name=name, scope=scope))
    say(f"created key {made.key.id} ({made.key.scope}) for {made.key.name}")
    typer.echo(made.secret)


def _key_lines(session: Session) -> list[str]:
    return [
        f"{k.id}\t{k.name}\t{k.scope}\t{k.prefix}…\t{k.created_at:%Y-%m-%d}\t"
        + ("revoked " + f"{k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active")
        for k in list_keys(session)
    ]


@keys_cli.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    for line in with_session(_key_lines):
        typer.echo(line)


@keys_cli.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (see keys list)")],
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    try:
        key = with_session(lambda s: revoke_key(s, key_id=key_id))
    except AppError as error:
        say(error.detail)
        raise typer.Exit(1) from error
    typer.echo(f"revoked key {key.id} ({key.name})")
