"""One typed settings object, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from corpus.nlp import DEFAULT_MODEL as DEFAULT_NLP_MODEL
from retrieval.embedder import DEFAULT_MODEL
from retrieval.vector_index import APPROXIMATE_FROM


class Settings(BaseSettings):
    """Everything the bot and the command line can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="BRIEFBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        Path("data"), description="Where the SQLite store (by default) and the indexes live."
    )
    database_url: str | None = Field(
        None,
        description="The database: empty for the SQLite file in the data directory, or a URL "
        "such as postgresql+psycopg://user:password@host/briefbot for several instances.",
    )
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="sentence-transformers model name or local path; the default is bundled.",
    )
    device: str | None = Field(None, description="cpu, cuda, mps; empty picks automatically.")
    nlp_model: str = Field(
        DEFAULT_NLP_MODEL,
        description="spaCy pipeline for speaker attribution: a package name or a path.",
    )
    max_article_bytes: int = Field(2_000_000, gt=0, description="Largest article accepted.")
    approximate_from: int = Field(
        APPROXIMATE_FROM,
        gt=0,
        description="Passages from which the vector index is approximate (IVF).",
    )
    telegram_bot_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "BRIEFBOT_TELEGRAM_BOT_TOKEN"),
        description="The bot's token from @BotFather.",
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_API_URL", "BRIEFBOT_TELEGRAM_API_URL"),
        description="Bot API base URL (a self-hosted Bot API server or the local stand-in).",
    )
    telegram_file_url: str = Field(
        "https://api.telegram.org/file/bot",
        validation_alias=AliasChoices("TELEGRAM_FILE_URL", "BRIEFBOT_TELEGRAM_FILE_URL"),
        description="Bot API file download base URL.",
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), description="Comma-separated Telegram user ids allowed to change the corpus."
    )

    languages: Annotated[tuple[str, ...], NoDecode] = Field(
        ("en",),
        description="Comma-separated ISO 639-1 codes of the languages questions are answered "
        "in; add others only with a multilingual BRIEFBOT_EMBEDDING_MODEL.",
    )
    max_question_chars: int = Field(500, gt=0, description="Longest question answered.")
    max_upload_bytes: int = Field(
        2_000_000, gt=0, description="Largest document an admin may upload."
    )
    upload_working_after: float = Field(
        2.0,
        ge=0,
        description="Seconds an upload may take before the admin is sent a working message.",
    )
    subscriptions_per_chat: int = Field(20, gt=0, description="Subscriptions a chat may hold.")
    digest_hour_utc: int = Field(8, ge=0, le=23, description="Hour (UTC) of the daily digest.")
    webhook_url: str | None = Field(
        None, description="Public HTTPS URL for webhook mode; empty means long polling."
    )
    webhook_listen: str = Field("0.0.0.0", description="Address the webhook server binds.")
    webhook_port: int = Field(8443, gt=0, lt=65536, description="Port the webhook server binds.")
    webhook_secret: SecretStr | None = Field(
        None, description="Secret token Telegram sends with every webhook request."
    )

    @property
    def database(self) -> str | Path:
        """What the store opens: the database URL, or the SQLite file in the data directory."""
        from retrieval.library import STORE_FILE

        return self.database_url or self.data_dir / STORE_FILE

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(p.strip().lower() for p in value.split(",") if p.strip()) or ("en",)
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(
                    f"expected comma-separated numeric user ids, got {value!r}"
                ) from exc
        return value
