"""`briefbot run`: start the bot against Telegram, by long polling or by webhook.

Settings are checked before anything heavy loads, so a missing or malformed one stops
start-up with one line naming it. Logging keeps the token out: httpx (whose INFO lines
carry Bot API URLs, token included) is held at WARNING, and a filter on the root handlers
masks the token wherever it still appears (bot.secrets: one filter for the process).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.secrets import TokenFilter, attach, hide_secrets
from bot.settings import Settings

__all__ = ["StartupError", "configure_logging", "run_bot", "webhook_path"]

log = logging.getLogger("briefbot.run")

OUR_LOGGERS = ("briefbot", "bot", "retrieval", "corpus")
QUIET_LOGGERS = ("httpx", "httpcore")  # their INFO lines carry Bot API URLs with the token
TOKEN_FORM = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_FORM = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token
TELEGRAM_API = "https://api.telegram.org/bot"


class StartupError(Exception):
    """Something in the settings or the environment stops `briefbot run`.

    The message is one line for people and never contains the token.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Webhook:
    """Where the webhook server listens and what Telegram is told."""

    listen: str
    port: int
    url_path: str
    url: str
    secret: str


# -- settings -----------------------------------------------------------------------------


def bot_token(settings: Settings) -> str:
    """The token, checked for presence and form (never echoed back)."""
    secret = settings.telegram_bot_token
    token = secret.get_secret_value() if secret is not None else ""
    if not token:
        raise StartupError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    if not TOKEN_FORM.match(token):
        raise StartupError(
            "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AAE… "
            "that @BotFather gives"
        )
    return token


def webhook_path(token: str) -> str:
    """The local URL path for webhook updates: a hash of the token, never the token."""
    return hashlib.sha256(f"briefbot-webhook-path:{token}".encode()).hexdigest()[:40]


def webhook_config(settings: Settings, token: str) -> Webhook | None:
    """Webhook mode when BRIEFBOT_WEBHOOK_URL is set; None means long polling."""
    base = (settings.webhook_url or "").strip()
    if not base:
        return None
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StartupError(
            "BRIEFBOT_WEBHOOK_URL is malformed: expected a public URL like https://bot.example.org"
        )
    if parts.scheme != "https" and settings.telegram_api_url.startswith(TELEGRAM_API):
        raise StartupError("BRIEFBOT_WEBHOOK_URL must be https:// (Telegram only calls HTTPS)")
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        secret = settings.webhook_secret.get_secret_value()
        if not SECRET_FORM.match(secret):
            raise StartupError(
                "BRIEFBOT_WEBHOOK_SECRET is malformed: use 1–256 characters from A–Z, a–z, "
                "0–9, _ and -"
            )
    else:  # stable across restarts, unguessable without the token
        secret = hashlib.sha256(f"briefbot-webhook-secret:{token}".encode()).hexdigest()
    if importlib.util.find_spec("tornado") is None:
        raise StartupError(
            "BRIEFBOT_WEBHOOK_URL is set but webhook mode needs the webhooks extra: "
            "pip install 'python-telegram-bot[webhooks]'"
        )
    path = webhook_path(token)
    return Webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        url=f"{base.rstrip('/')}/{path}",
        secret=secret,
    )


# -- logging ------------------------------------------------------------------------------


def configure_logging(*secrets: str, verbose: bool = False) -> TokenFilter:
    """INFO for our loggers (DEBUG when verbose), WARNING elsewhere; secrets masked."""
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    token_filter = hide_secrets(*secrets)
    for handler in logging.getLogger().handlers:
        attach(handler)
    return token_filter


# -- running ------------------------------------------------------------------------------


def run_bot(settings: Settings, *, verbose: bool = False) -> int:
    """Check settings, load the library, then poll (or serve the webhook) until stopped."""
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.services import open_library
    from corpus.database import Database, masked

    token = bot_token(settings)
    webhook = webhook_config(settings, token)
    token_filter = configure_logging(token, webhook.secret if webhook else "", verbose=verbose)
    api_host = urlsplit(settings.telegram_api_url).netloc or settings.telegram_api_url
    # A wrong or unreachable database stops start-up now, before the models load, with one
    # line naming it (password masked): a StoreError, which the command line prints.
    Database(settings.database).close()
    log.info("loading the corpus from %s (indexes in %s)", masked(settings.database),
             settings.data_dir)  # fmt: skip
    library = open_library(settings)
    application = build_application(settings, library)
    try:
        if webhook is None:
            log.info("starting: long polling %s", api_host)
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        else:
            log.info(
                "starting: webhook on %s:%d, registered as %s",
                webhook.listen,
                webhook.port,
                webhook.url,
            )
            application.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=webhook.url_path,
                webhook_url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
    except InvalidToken as exc:
        raise StartupError(
            f"the Bot API at {api_host} refused TELEGRAM_BOT_TOKEN: check it with @BotFather"
        ) from exc
    except NetworkError as exc:
        reason = token_filter.mask(str(exc))
        raise StartupError(f"cannot reach the Bot API at {api_host}: {reason}", 1) from exc
    finally:
        library.close()  # post_shutdown closes it too; closing twice is harmless
    log.info("stopped")
    return 0
