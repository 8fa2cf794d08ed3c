"""flask revoke-api-tokens: cut off every API token of an account (a lost phone, a leaked script)."""
from __future__ import annotations

import click

from ..auth.models import find_user_by_email
from ..auth.tokens import revoke_all_tokens
from ..core.clock import utcnow
from ..extensions import db


@click.command("revoke-api-tokens")
@click.option("--email", required=True, help="the account whose tokens stop working")
def revoke_api_tokens_command(email: str) -> None:
    """Revoke every live API token of one account."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the email {email}")
    count = revoke_all_tokens(user, now=utcnow())
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {user.email}")
