"""The bot end to end on PostgreSQL: the same tests as on the default SQLite file, through
the stand-in, with the store on a PostgreSQL schema of their own (the indexes stay in the
data directory). Each is imported from its own module and runs here against this module's
`bot_harness`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.embedder import Embedder
from tests.bot.conftest import BotHarness, bot_settings, start_standin
from tests.bot.test_bot_admin import test_admin_lists_counts_and_removes_articles
from tests.bot.test_bot_asking import (
    test_more_pages_through_results_and_survives_a_restart,
    test_seed_question_answers_with_putins_quote_first,
)
from tests.bot.test_bot_claims import (
    test_a_follow_up_queued_before_a_restart_is_sent_once_after_it,
    test_a_reader_shown_a_claim_gets_one_follow_up_when_it_is_confirmed,
)
from tests.bot.test_bot_subscriptions import (
    test_a_blocked_chat_is_paused_then_resumes_when_it_writes,
    test_a_group_that_became_a_supergroup_keeps_its_subscriptions,
    test_daily_digest_gathers_matches_into_one_message,
    test_fan_out_stays_within_telegrams_broadcast_limits,
    test_queued_deliveries_survive_a_restart_and_are_sent_once,
    test_topic_subscription_gets_one_message_per_matching_article,
)

pytestmark = pytest.mark.postgres

__all__ = [
    "test_a_blocked_chat_is_paused_then_resumes_when_it_writes",
    "test_a_follow_up_queued_before_a_restart_is_sent_once_after_it",
    "test_a_group_that_became_a_supergroup_keeps_its_subscriptions",
    "test_a_reader_shown_a_claim_gets_one_follow_up_when_it_is_confirmed",
    "test_admin_lists_counts_and_removes_articles",
    "test_daily_digest_gathers_matches_into_one_message",
    "test_fan_out_stays_within_telegrams_broadcast_limits",
    "test_more_pages_through_results_and_survives_a_restart",
    "test_queued_deliveries_survive_a_restart_and_are_sent_once",
    "test_seed_question_answers_with_putins_quote_first",
    "test_topic_subscription_gets_one_message_per_matching_article",
]


@pytest.fixture
async def bot_harness(
    tmp_path: Path, bot_embedder: Embedder, postgres_url: str
) -> AsyncIterator[BotHarness]:
    """The stand-in and the real bot polling it, its store on PostgreSQL."""
    standin = await start_standin()
    settings = bot_settings(standin, tmp_path, database_url=postgres_url)
    harness = BotHarness(standin, settings, bot_embedder)
    try:
        await harness.start()
        assert harness.services.library.store.dialect == "postgresql"
        yield harness
    finally:
        try:
            await harness.stop()
        finally:
            await standin.stop()
