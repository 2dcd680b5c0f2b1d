"""``kbot sync --ingestion-job``: the one ingestion job for what per-source syncs staged.

Run by the Step Functions state after the Map (infra/stacks/ingest.py), or by hand. Each pending
source's sync status gets the outcome: a failed job becomes its ``last_error``; documents Bedrock
could not index become failures with samples, which ``kbot sources status`` and the admin views show.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.bedrock_sink.jobs import IndexOutcome
from bot.errors import KbotError, NotFoundError
from bot.models import SourceStatus
from bot.ports import SourceRepository

log = logging.getLogger(__name__)
MAX_SAMPLES = 5


async def _status(sources: SourceRepository, name: str) -> SourceStatus:
    try:
        return await sources.get_status(name)
    except NotFoundError:
        return SourceStatus(source=name)


async def run_ingestion_job(sink: Any, sources: SourceRepository) -> tuple[int, list[str]]:
    """(exit code, one line per source); no job when nothing is pending."""
    jobs = getattr(sink, "jobs", None)
    if jobs is None or getattr(sink, "kind", "S3") != "S3":
        return 0, ["no ingestion job to run: the backend indexes documents as they are synced"]
    marks = await jobs.pending.pending(sink.ds_id)
    try:
        outcomes: dict[str, IndexOutcome] = await jobs.run_pending()
    except KbotError as exc:
        for name in marks:
            status = await _status(sources, name)
            status.last_error = str(exc)
            await sources.save_status(status)
        return 1, [f"ingestion job failed for {', '.join(sorted(marks))}: {exc}"]
    lines = []
    for name, outcome in sorted(outcomes.items()):
        status = await _status(sources, name)
        status.failures += len(outcome.failures)
        samples = [f"{f.uri}: {f.reason}"[:300] for f in outcome.failures]
        status.failure_samples = (samples + status.failure_samples)[:MAX_SAMPLES]
        await sources.save_status(status)
        lines.append(f"{name}: ingestion job {outcome.job_id} {outcome.status}, {len(outcome.failures)} not indexed")
    return 0, lines or ["nothing staged: no ingestion job needed"]
