"""The settings object and `.env.example` describe the same settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices

from bot.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def env_names() -> dict[str, str]:
    """Each setting's field name and the environment variable a user sets for it."""
    prefix = Settings.model_config["env_prefix"]
    names = {}
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names[field] = str(alias.choices[0])
        else:
            names[field] = f"{prefix}{field}".upper()
    return names


def test_every_setting_is_in_the_env_example_with_its_description() -> None:
    assigned = {
        line.split("=", 1)[0].strip()
        for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    missing = {field: name for field, name in env_names().items() if name not in assigned}
    assert missing == {}
    undocumented = [f for f, info in Settings.model_fields.items() if not info.description]
    assert undocumented == []


def test_the_env_example_names_no_setting_that_does_not_exist() -> None:
    known = set(env_names().values())
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            assert line.split("=", 1)[0].strip() in known, line
