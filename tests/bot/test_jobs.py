"""The bot's jobs (the delivery sweep, a kick, the rest of a digest round) run however late
the event loop comes round to them."""

from __future__ import annotations

import asyncio
import time

from telegram.ext import Application, CallbackContext, JobQueue

from bot.delivery import LateJobQueue


async def _late_runs(queue: JobQueue, wait: float) -> bool:
    """Whether a job due in 0.1 s runs (within `wait` s) when the loop is held for 1.5 s past
    its time."""
    app = Application.builder().token("123:TEST").updater(None).job_queue(queue).build()
    ran = asyncio.Event()

    async def job(_context: CallbackContext) -> None:
        ran.set()

    await app.job_queue.start()
    try:
        app.job_queue.run_once(job, when=0.1)
        time.sleep(1.6)  # a held loop: the models loading at start-up, a busy machine
        try:
            await asyncio.wait_for(ran.wait(), timeout=wait)
        except TimeoutError:
            return False
        return True
    finally:
        await app.job_queue.stop(wait=False)


async def test_a_one_off_job_runs_after_the_loop_was_held_past_its_time() -> None:
    assert await _late_runs(LateJobQueue(), wait=30)


async def test_without_it_apscheduler_drops_the_late_run() -> None:
    # The default this guards against: a run more than a second late is skipped, not run.
    assert not await _late_runs(JobQueue(), wait=3)
