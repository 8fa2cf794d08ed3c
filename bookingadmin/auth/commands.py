"""`flask sign-out-everywhere`: end every session of an account (a lost laptop, a shared computer)."""
from __future__ import annotations

import click

from ..core.clock import utcnow
from ..extensions import db


@click.command("sign-out-everywhere")
@click.option("--email", required=True)
def sign_out_everywhere_command(email: str) -> None:
    """End every signed-in session of the account with this email (API tokens: revoke-api-tokens)."""
    from .models import find_user_by_email
    from .services import sign_out_everywhere

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}")
    sign_out_everywhere(user, now=utcnow())
    db.session.commit()
    click.echo(f"Every session of {user.email} has ended")
