"""`briefbot`: the command line, a thin skin over the same verbs the bot uses."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import AliasChoices, ValidationError

from bot.chat import DEFAULT_USER_ID
from bot.console import format_answer, format_article
from bot.runner import StartupError
from bot.services import open_library
from bot.settings import Settings
from corpus import SAMPLE_QUESTION, SAMPLES_DIR
from corpus.errors import CorpusError, DuplicateArticle, ParseError
from corpus.parse import ArticleMeta
from corpus.sidecar import read_sidecar
from retrieval.embedder import EmbeddingError
from retrieval.evaluation import EvaluationError
from retrieval.library import Library

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
log = logging.getLogger("briefbot")


def article_files(paths: Sequence[Path]) -> list[Path]:
    """The article files named, and those inside the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                )
            )
        else:
            found.append(path)
    return found


def ingest_files(library: Library, files: Sequence[Path], *, progress: bool = True) -> int:
    """Ingest files, print what was added, skipped as duplicate or refused; return refusals."""
    from tqdm import tqdm

    sidecars: dict[Path, dict] = {}
    unreadable: list[tuple[Path, OSError]] = []
    by_name = {str(path): path for path in files}
    bar = tqdm(total=len(files), unit="file", disable=not progress or len(files) < 5,
               file=sys.stderr)  # fmt: skip

    def items() -> Iterator[tuple[str, bytes, ArticleMeta | None]]:
        for path in files:
            if path.parent not in sidecars:
                sidecars[path.parent] = read_sidecar(path.parent)
            try:
                data = path.read_bytes()
            except OSError as exc:
                unreadable.append((path, exc))
                bar.update()
                continue
            yield str(path), data, sidecars[path.parent].get(path.stem)

    outcomes = library.ingest_many(items(), on_outcome=lambda _: bar.update())
    bar.close()
    added = [o.article for o in outcomes if o.article is not None]
    duplicates = [o for o in outcomes if isinstance(o.error, DuplicateArticle)]
    refused = [(by_name[o.name], o.error) for o in outcomes if isinstance(o.error, ParseError)]
    refused += unreadable
    for article in added:
        print(f"added  {format_article(article)}")
    for o in duplicates:
        print(f"duplicate  {o.name}: {o.error}")
    for path, exc in refused:
        reason = exc.reason if isinstance(exc, ParseError) else str(exc)
        print(f"refused  {path}: {reason}")
    plural = "" if len(duplicates) == 1 else "s"
    print(f"{len(added)} added, {len(duplicates)} duplicate{plural}, {len(refused)} refused")
    return len(refused)


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    files = article_files([Path(p) for p in args.paths])
    if not files:
        print("no article files found (.txt, .md, .html)", file=sys.stderr)
        return 1
    library = open_library(settings)
    try:
        return 1 if ingest_files(library, files, progress=not args.quiet) else 0
    finally:
        library.close()


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    library = open_library(settings)
    try:
        answer = library.ask(" ".join(args.question), limit=args.limit)
    finally:
        library.close()
    print(answer.model_dump_json(indent=2) if args.json else format_answer(answer))
    return 0


def _cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from corpus.store import Store

    with Store(settings.database) as store:
        summaries = store.articles()
    if not summaries:
        print("The corpus is empty. Add articles with: briefbot ingest PATH")
    for s in summaries:
        day = s.published.isoformat() if s.published else "no date"
        source = f" · {s.source}" if s.source else ""
        print(f"{s.id}  {day}  {s.title}{source}  ({s.passage_count} passages)")
    return 0


def _cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    library = open_library(settings)
    try:
        removed = library.remove(args.id)
    finally:
        library.close()
    print(f"removed {removed.id}  {removed.title} ({len(removed.passages)} passages)")
    return 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.embedder import SentenceTransformerEmbedder
    from retrieval.evaluation import article_keys, format_table, load_set, measure

    directory = Path(args.dir)
    if not (directory / "questions.jsonl").is_file():
        print(f"{directory} has no questions.jsonl", file=sys.stderr)
        return 1
    embedder = SentenceTransformerEmbedder(settings.embedding_model, device=settings.device)
    keys = article_keys(args.articles) if args.articles else None
    report, attribution = measure(
        directory, embedder, baseline=args.baseline, articles=keys, nlp_model=settings.nlp_model
    )
    if args.json:
        print(json.dumps(report))
    else:
        _, _, questions = load_set(directory)
        if keys is not None:
            questions = [
                q for q in questions if q["gold"] and {g["article"] for g in q["gold"]} <= keys
            ]
        counts = Counter(q["kind"] for q in questions)
        print(format_table(report, counts))
        print(attribution.describe())
    return 0


def _cmd_claims(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.claim_report import claims_report, format_report, load_texts
    from retrieval.embedder import SentenceTransformerEmbedder

    directory = Path(args.dir)
    if not (directory / "articles").is_dir():
        print(f"{directory} has no articles/ folder", file=sys.stderr)
        return 1
    embedder = SentenceTransformerEmbedder(settings.embedding_model, device=settings.device)
    report = claims_report(directory, embedder)
    print(
        json.dumps(report, ensure_ascii=False)
        if args.json
        else format_report(report, load_texts(directory))
    )
    return 0


def _cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.subscriptions import MIGRATIONS as BOT
    from corpus.schema import CORPUS
    from corpus.store import Store

    with Store(settings.database) as store:
        store.upgrade(BOT)
        revisions = store.revisions([CORPUS, BOT])
        print(f"{store.name}: " + ", ".join(f"{k} at {v}" for k, v in revisions.items()))
    return 0


def _cmd_db_copy(args: argparse.Namespace, settings: Settings) -> int:
    from bot.subscriptions import MIGRATIONS as BOT
    from corpus.store import Store
    from corpus.transfer import copy_store

    source_file = Path(args.sqlite_file)
    if not source_file.is_file():
        raise StartupError(f"{source_file} is not a file: name the SQLite store to copy", 1)
    if not settings.database_url or not settings.database_url.startswith("postgresql"):
        raise StartupError(
            "BRIEFBOT_DATABASE_URL must name the PostgreSQL database to copy into", 2
        )
    with Store(source_file) as source, Store(settings.database_url) as target:
        for store in (source, target):
            store.upgrade(BOT)
        report = copy_store(source, target)
        print(f"copied {source.name} into {target.name}")
        for table, n in report.counts.items():
            print(f"  {table:<18} {n:>9} rows")
        print(f"  passages checksum {report.checksum} (the same in both)")
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    library = open_library(settings)
    try:
        files = article_files([SAMPLES_DIR])
        known = {a.title for a in library.articles()}
        print(f"Corpus in {settings.data_dir}: {len(known)} articles stored; adding the samples.")
        ingest_files(library, files, progress=False)
        print()
        print(format_answer(library.ask(args.question or SAMPLE_QUESTION, limit=3)))
    finally:
        library.close()
    return 0


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run_bot

    return run_bot(settings, verbose=args.verbose)


def _cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat import run_chat

    return run_chat(settings, admin=args.admin, user_id=args.user_id)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Answer questions about news briefings with sourced, status-labelled passages.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, purpose: str) -> argparse.ArgumentParser:
        """A subcommand whose purpose shows in the command list and in its own --help."""
        return sub.add_parser(name, help=purpose, description=purpose[:1].upper() + purpose[1:])

    p = command("ingest", "add article files or folders (.txt, .md, .html)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_ingest)

    p = command("ask", "answer a question from the corpus")
    p.add_argument("question", nargs="+")
    p.add_argument("-n", "--limit", type=int, default=5, help="passages to show (default 5)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=_cmd_ask)

    p = command("articles", "list the stored articles")
    p.set_defaults(func=_cmd_articles)

    p = command("remove", "remove an article and its passages")
    p.add_argument("id")
    p.set_defaults(func=_cmd_remove)

    p = command("eval", "measure retrieval on an evaluation set (DESIGN.md format)")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--baseline", choices=["dense-chunks"], help="measure a baseline instead of briefbot"
    )
    p.add_argument(
        "--articles", metavar="KEYS",
        help="ask only the questions whose gold lies in these articles, e.g. 032-047,050"
        " (all articles are still ingested; negatives are left out)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_eval)

    p = command(
        "claims", "follow the unconfirmed claims of a set of articles to their final standing"
    )
    p.add_argument("dir", metavar="DIR", help="holds articles/*.txt and articles.jsonl")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_claims)

    p = command("db", "the database: apply migrations, or copy a SQLite store into PostgreSQL")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    q = db.add_parser(
        "upgrade",
        help="apply the schema migrations the database lacks",
        description="Apply the schema migrations the database (BRIEFBOT_DATABASE_URL, or the "
        "SQLite file in BRIEFBOT_DATA_DIR) lacks; a store made by an older briefbot is upgraded "
        "in place.",
    )
    q.set_defaults(func=_cmd_db_upgrade)
    q = db.add_parser(
        "copy",
        help="copy a SQLite store into the PostgreSQL database of BRIEFBOT_DATABASE_URL",
        description="Copy every row of a SQLite store into the empty PostgreSQL database "
        "named by BRIEFBOT_DATABASE_URL, then check the row counts and the passages' checksum.",
    )
    q.add_argument("sqlite_file", metavar="SQLITE_FILE", help="e.g. data/briefbot.sqlite3")
    q.set_defaults(func=_cmd_db_copy)

    p = command("demo", "add the bundled sample briefings and answer a question")
    p.add_argument("question", nargs="?", help=f"default: {SAMPLE_QUESTION!r}")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
        "run",
        help="run the Telegram bot (long polling; webhook when BRIEFBOT_WEBHOOK_URL is set)",
        description="Run the bot with TELEGRAM_BOT_TOKEN. Long polling by default; with "
        "BRIEFBOT_WEBHOOK_URL set, serve a webhook on BRIEFBOT_WEBHOOK_LISTEN:"
        "BRIEFBOT_WEBHOOK_PORT at a path derived from the token. Stop with Ctrl-C.",
    )
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "chat",
        help="talk to the bot in this terminal, through a local Telegram stand-in",
        description="An interactive session with the bot, no Telegram account needed. "
        "Type questions and commands; press buttons by number; /upload PATH, "
        "/inline QUERY, /quit. Reads from a pipe too, one line per message.",
    )
    p.add_argument("--admin", action="store_true", help="be an admin for this session")
    p.add_argument(
        "--user-id", type=int, default=DEFAULT_USER_ID, metavar="N",
        help=f"your Telegram user id in the session (default {DEFAULT_USER_ID})",
    )  # fmt: skip
    p.set_defaults(func=_cmd_chat)
    return parser


def env_name(loc: Sequence[int | str]) -> str:
    """The environment variable a settings error is about (BRIEFBOT_WEBHOOK_PORT, …)."""
    field = Settings.model_fields.get(str(loc[0])) if loc else None
    if field is None:
        return ".".join(str(x) for x in loc).upper()
    alias = field.validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    prefix = Settings.model_config.get("env_prefix", "")
    return f"{prefix}{loc[0]}".upper()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: errors become one line for people and a non-zero exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        print(f"briefbot: setting {env_name(error['loc'])}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except StartupError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except (CorpusError, EmbeddingError, EvaluationError) as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
