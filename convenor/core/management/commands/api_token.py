"""``convenor api-token create|list|revoke``: API tokens for programs that call the JSON API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from convenor.core.models import ApiToken
from convenor.core.services import create_api_token, revoke_api_token


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A new token's secret is printed once only."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print its secret once")
        create.add_argument("--user", required=True, help="username the token acts for")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--days", type=int, help="expire after this many days (default never)")
        create.add_argument("--actor", default="command line", help="who is making it")
        listing = actions.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="stop a token working at once")
        revoke.add_argument("prefix", help="the token's prefix, as `list` shows it")
        revoke.add_argument("--actor", default="command line", help="who is revoking it")

    def handle(self, *args: Any, **options: Any) -> None:
        {"create": self._create, "list": self._list, "revoke": self._revoke}[options["action"]](
            options
        )

    def _create(self, options: dict[str, Any]) -> None:
        username = options["user"]
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            token, secret = create_api_token(
                user, actor=options["actor"], name=options["name"], expires=expires
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Token {token.prefix}… for {username} ({token.name})")
        self.stdout.write("Secret (shown this once; store it safely):")
        self.stdout.write(secret)
        self.stdout.write(f'Use it as the header "Authorization: Bearer {secret}".')

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user")
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        now = timezone.now()
        for token in tokens:
            state = "works" if token.is_usable(now) else "revoked or expired"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            expires = f"{token.expires:%Y-%m-%d}" if token.expires else "never"
            self.stdout.write(
                f"{token.prefix}  {token.user.get_username():20} {token.name:30} "
                f"expires {expires:10}  last used {used:16}  {state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        matches = list(ApiToken.objects.filter(prefix=options["prefix"]))
        if len(matches) != 1:
            found = "no token" if not matches else f"{len(matches)} tokens"
            raise CommandError(f"{found} with the prefix {options['prefix']!r}.")
        try:
            revoke_api_token(matches[0], actor=options["actor"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Revoked {matches[0].prefix}….")
