"""Article metadata kept beside article files: `articles.jsonl`, one object per file stem."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

from corpus.parse import ArticleMeta

SIDECAR = "articles.jsonl"
log = logging.getLogger(__name__)


def meta_from_row(row: dict) -> ArticleMeta:
    """`{"id", "url", "site" or "source", "title", "published"}` → ArticleMeta."""
    published = row.get("published")
    try:
        day = date.fromisoformat(published) if published else None
    except (TypeError, ValueError):
        day = None
    return ArticleMeta(
        title=row.get("title") or None,
        source=row.get("site") or row.get("source") or None,
        url=row.get("url") or None,
        published=day,
    )


def read_sidecar(folder: Path) -> dict[str, ArticleMeta]:
    """Metadata by article key from `folder/articles.jsonl`; bad lines are logged and skipped."""
    path = folder / SIDECAR
    if not path.is_file():
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
