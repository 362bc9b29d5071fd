"""Article metadata kept beside article files: `articles.jsonl`, one object per file stem."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

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
    path = next((p for p in (folder / SIDECAR, folder.parent / SIDECAR) if p.is_file()), None)
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
