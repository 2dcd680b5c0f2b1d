"""The one place that builds everything from :class:`bot.settings.Settings`.

Components are built lazily so a command only pays for what it uses (loading the
embedding model takes a second; ``kbot sources list`` should not). Vendor types are imported
only for type checking; the modules themselves load on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from bot.conversation.access import AccessResolver
from bot.conversation.ask import AskService
from bot.conversation.summarize import SummarizeService
from bot.errors import ConfigError
from bot.fair_use import FairUse
from bot.ports import (
    Answerer,
    CheckpointStore,
    DocumentSink,
    Embedder,
    FeedbackRecorder,
    FileParser,
    Retriever,
    Summarizer,
)
from bot.settings import Settings, load_settings
from bot.state import ConversationState

if TYPE_CHECKING:
    from pathlib import Path

    from adapters.bedrock.factory import BedrockBackend
    from adapters.cli.progress import ProgressBar
    from adapters.config_store.dynamodb_checkpoints import DynamoCheckpointStore
    from adapters.store.checkpoints import SqliteCheckpointStore
    from adapters.store.sqlite_store import SqliteStore
    from adapters.teams.ports import ThreadReader
    from bot.admin.ports import ConfigRepository, GroupResolver
    from bot.admin.service import AdminService
    from bot.verified.ports import VerifiedRepository
    from bot.verified.service import VerifiedAnswers
    from ingest.pipeline import IngestPipeline


@dataclass(frozen=True, slots=True)
class AppOverrides:
    """Parts supplied instead of the built ones (tests: fakes); None = build from settings."""

    store: SqliteStore | None = None
    embedder: Embedder | None = None
    parser: FileParser | None = None
    answerer: Answerer | None = None
    summarizer: Summarizer | None = None
    config: ConfigRepository | None = None
    feedback: FeedbackRecorder | None = None
    groups: GroupResolver | None = None
    admin: AdminService | None = None
    access: AccessResolver | None = None
    teams_thread_reader: ThreadReader | None = None
    state: ConversationState | None = None
    verified: VerifiedRepository | None = None


class App:
    def __init__(self, settings: Settings, overrides: AppOverrides | None = None) -> None:
        self.settings = settings
        self.overrides = overrides or AppOverrides()

    @classmethod
    def from_env(cls, *, kbot_db: Path | None = None) -> App:
        return cls(load_settings(kbot_db=kbot_db) if kbot_db else load_settings())

    # --- the conversation services every front end calls (bot.conversation) -------------
    @cached_property
    def ask(self) -> AskService:
        from adapters.wiring.verified import with_verified_answers

        answerer = with_verified_answers(
            self.answerer, settings=self.settings, retriever=lambda: self.retriever,
            repo=self.verified_repo, embedder=lambda: self.embedder,
        )
        fair_use = FairUse.from_settings(lambda: self.state, self.settings)  # across replicas
        return AskService(answerer, self.access, feedback=self.feedback, fair_use=fair_use)

    @cached_property
    def summaries(self) -> SummarizeService:
        return SummarizeService(self.summarizer)

    @cached_property
    def access(self) -> AccessResolver:
        if self.overrides.access is not None:
            return self.overrides.access
        from bot.conversation.access import ConfiguredAccess

        stored = self.store if self.settings.kbot_backend == "embedded" else None
        return ConfiguredAccess(self.config, self.groups, stored)

    # --- embedded default ---------------------------------------------------------------
    @cached_property
    def store(self) -> SqliteStore:
        if self.overrides.store is not None:
            return self.overrides.store
        from adapters.store.sqlite_store import SqliteStore

        return SqliteStore(self.settings.kbot_db)

    @cached_property
    def embedder(self) -> Embedder:
        if self.overrides.embedder is not None:
            return self.overrides.embedder
        from adapters.embedding.minilm import MiniLmEmbedder

        return MiniLmEmbedder()

    @cached_property
    def parser(self) -> FileParser:
        if self.overrides.parser is not None:
            return self.overrides.parser
        from adapters.parsing.sandbox import ParseLimits
        from adapters.parsing.unstructured_parser import UnstructuredParser

        s = self.settings  # files are parsed in a worker process with a time and memory cap
        return UnstructuredParser(
            max_bytes=s.kbot_max_file_mb * 1024 * 1024, max_text_bytes=s.kbot_max_text_mb * 1024 * 1024,
            limits=ParseLimits(timeout_s=s.kbot_parse_timeout_s, memory_mb=s.kbot_parse_memory_mb),
        )

    @cached_property
    def local_retriever(self) -> Retriever:
        from bot.retrieval import HybridRetriever

        return HybridRetriever(self.store, self.embedder)

    # --- ingest: the same sink and checkpoints for `kbot ingest`, `kbot sync` and `kbot worker` --
    def ingest_sink(self) -> DocumentSink:
        """A new sink for one run (its work counters are per run), following ``KBOT_BACKEND``."""
        if self.settings.kbot_backend == "bedrock":
            from adapters.bedrock_sink.factory import build_bedrock_sink

            return build_bedrock_sink(self.settings)
        from ingest.local_sink import LocalStoreSink

        return LocalStoreSink(self.store, self.embedder)

    def checkpoint_store(self) -> SqliteCheckpointStore | DynamoCheckpointStore:
        """Connector checkpoints: the config table on AWS (a Fargate task's disk is gone after a run)."""
        if self.settings.kbot_config_table:
            from adapters.config_store.dynamodb_checkpoints import DynamoCheckpointStore

            return DynamoCheckpointStore(
                self.settings.kbot_config_table, region=self.settings.aws_region,
                profile=self.settings.aws_profile, max_attempts=self.settings.bedrock_max_attempts,
            )
        from adapters.store.checkpoints import SqliteCheckpointStore

        return SqliteCheckpointStore(self.settings.kbot_db)

    def ingest_pipeline(
        self, *, progress: bool = False, checkpoints: CheckpointStore | None = None
    ) -> tuple[IngestPipeline, DocumentSink, ProgressBar]:
        """(pipeline, sink, progress bar) for one ingest run into the configured backend."""
        from adapters.cli.progress import ProgressBar
        from ingest.pipeline import IngestPipeline

        sink = self.ingest_sink()
        bar = ProgressBar(enabled=progress, desc="indexing")
        return IngestPipeline(self.parser, sink, checkpoints, on_progress=bar.update), sink, bar

    # --- backend-dependent --------------------------------------------------------------
    @cached_property
    def bedrock(self) -> BedrockBackend:
        if not self.settings.bedrock_knowledge_base_id and self.settings.bedrock_answer_mode != "agent":
            raise ConfigError("KBOT_BACKEND=bedrock needs BEDROCK_KNOWLEDGE_BASE_ID (or BEDROCK_AGENT_ID)")
        from adapters.bedrock.factory import build_bedrock

        return build_bedrock(self.settings, state=self.state)

    @cached_property
    def retriever(self) -> Retriever:
        if self.settings.kbot_backend == "bedrock":
            return self.bedrock.retriever
        return self.local_retriever

    @cached_property
    def answerer(self) -> Answerer:
        """The backend's answerer, unmetered: :class:`AskService` meters every answer."""
        if self.overrides.answerer is not None:
            return self.overrides.answerer
        if self.settings.kbot_backend == "bedrock":
            return self.bedrock.answerer
        from bot.answering.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(
            self.local_retriever, self.embedder, top_k=self.settings.kbot_top_k,
            min_evidence=self.settings.kbot_min_evidence, term_stats=self.store,
        )

    @cached_property
    def summarizer(self) -> Summarizer:
        if self.overrides.summarizer is not None:
            return self.overrides.summarizer
        if self.settings.kbot_backend == "bedrock":
            return self.bedrock.summarizer
        from bot.summarizing.extractive import ExtractiveSummarizer

        return ExtractiveSummarizer(self.embedder)

    # --- configuration, feedback, admin (bot.admin; docs/admin.md) ----------------------
    @cached_property
    def config(self) -> ConfigRepository:
        """SourceRepository + channels, admins, audit and feedback."""
        if self.overrides.config is not None:
            return self.overrides.config
        if self.settings.kbot_config_table:
            from adapters.config_store.dynamodb_config import DynamoConfigRepository

            return DynamoConfigRepository(
                self.settings.kbot_config_table, region=self.settings.aws_region,
                profile=self.settings.aws_profile, max_attempts=self.settings.bedrock_max_attempts,
            )
        from adapters.config_store.sqlite_config import SqliteConfigRepository

        return SqliteConfigRepository(self.settings.kbot_db)

    @cached_property
    def state(self) -> ConversationState:
        """Chat state shared by all ``kbot serve`` replicas (claims, turns, answers, sessions, fair use)."""
        if self.overrides.state is not None:
            return self.overrides.state
        from adapters.state.factory import build_state

        return build_state(self.settings)

    @cached_property
    def feedback(self) -> FeedbackRecorder:
        return self.overrides.feedback or self.config

    @cached_property
    def groups(self) -> GroupResolver:
        if self.overrides.groups is not None:
            return self.overrides.groups
        from adapters.wiring.admin import build_group_resolver

        return build_group_resolver(self)

    @cached_property
    def admin(self) -> AdminService:
        if self.overrides.admin is not None:
            return self.overrides.admin
        from adapters.wiring.admin import build_admin_service

        return build_admin_service(self)

    @cached_property
    def verified_repo(self) -> VerifiedRepository:
        from adapters.wiring.verified import build_verified_repo

        return self.overrides.verified or build_verified_repo(self.settings)

    @cached_property
    def verified(self) -> VerifiedAnswers:
        """Verified answers (bot.verified): saved by experts, shown first by :attr:`ask`."""
        from bot.verified.service import VerifiedAnswers

        return VerifiedAnswers(self.verified_repo, self.config, self.admin, self.ingest_sink)

    async def aclose(self) -> None:
        """Close the store, config store and state store if they were built (cached) here or supplied."""
        store: SqliteStore | None = self.__dict__.get("store")
        if store is not None:
            await store.close()
        for name in ("config", "verified_repo", "state"):
            close = getattr(self.__dict__.get(name), "close", None)
            if close is not None:
                result = close()
                if hasattr(result, "__await__"):
                    await result
