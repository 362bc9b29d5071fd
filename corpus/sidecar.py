"""Article metadata given beside the text: `articles.jsonl` beside article files (one object
per file stem), and the lines a sender writes before an article or in a caption."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from corpus.dating import parse_day
from corpus.parse import ArticleMeta

SIDECAR = "articles.jsonl"
log = logging.getLogger(__name__)


def meta_from_row(row: dict) -> ArticleMeta:
    """`{"id", "url", "site" or "source", "title", "published"}` → ArticleMeta."""
    published = row.get("published")
    try:
        day = date.fromisoformat(published) if published else None
    except (TypeError, ValueError):
        day = parse_day(published) if isinstance(published, str) else None
    return ArticleMeta(
        title=row.get("title") or None,
        source=row.get("site") or row.get("source") or None,
        url=row.get("url") or None,
        published=day,
    )


def read_sidecar(folder: Path) -> dict[str, ArticleMeta]:
    """Metadata by article key from `articles.jsonl` in the folder or, as in an evaluation set
    (`DIR/articles/*.txt` beside `DIR/articles.jsonl`), beside it; bad lines are logged and
    skipped."""
    places = [folder / SIDECAR]
    if folder.name == "articles":
        places.append(folder.parent / SIDECAR)
    path = next((p for p in places if p.is_file()), None)
    if path is None:
        return {}
    out: dict[str, ArticleMeta] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out[str(row["id"])] = meta_from_row(row)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("%s line %d skipped: %s", path, number, exc)
    return out


_URL_LINE = re.compile(r"(?P<url>https?://[^\s<>\"]+)(?:\s+(?:[·|—–-]\s*)?(?P<outlet>\S.{0,99}))?")
_FIELD_LINE = re.compile(
    r"(?P<key>url|link|source|outlet|site|published|date|title)\s*:\s*(?P<value>\S.*)",
    re.IGNORECASE,
)
_KEYS = {"link": "url", "outlet": "source", "site": "source", "date": "published"}


def split_meta(text: str) -> tuple[ArticleMeta, str]:
    """Metadata lines a sender puts before an article (a caption, or the top of an /add):
    a URL, optionally followed by the outlet (`https://velm.example/a Velm Daily`), or
    `Source: …`, `Published: …`, `Title: …` lines; returns it and the text after them."""
    found: dict[str, str] = {}
    rest = text
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped:
            if found:
                rest = rest[len(line) :]
                continue
            break
        if m := _URL_LINE.fullmatch(stripped):
            found.setdefault("url", m.group("url"))
            if m.group("outlet"):
                found.setdefault("source", m.group("outlet").strip())
        elif m := _FIELD_LINE.fullmatch(stripped):
            key = m.group("key").lower()
            found.setdefault(_KEYS.get(key, key), m.group("value").strip())
        else:
            break
        rest = rest[len(line) :]
    if "url" in found and "source" not in found:
        host = urlsplit(found["url"]).hostname or ""
        found["source"] = host.removeprefix("www.") or None  # type: ignore[assignment]
    meta = ArticleMeta(
        title=found.get("title"),
        source=found.get("source"),
        url=found.get("url"),
        published=parse_day(found.get("published")),
    )
    return meta, rest
