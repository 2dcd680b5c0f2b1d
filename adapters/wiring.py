"""The one place that builds everything from :class:`bot.settings.Settings`.

Components are built lazily so a command only pays for what it uses (loading the
embedding model takes a second; ``kbot sources list`` should not).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from bot.errors import ConfigError
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
from bot.settings import Settings


class App:
    def __init__(self, settings: Settings, **components: Any) -> None:
        self.settings = settings
        # Injected components (tests) win over built ones.
        for name, value in components.items():
            self.__dict__[name] = value

    @classmethod
    def from_env(cls, **overrides: Any) -> App:
        return cls(Settings(**overrides))

    # --- embedded default ---------------------------------------------------------------
    @cached_property
    def store(self):  # -> adapters.store.sqlite_store.SqliteStore
        from adapters.store.sqlite_store import SqliteStore

        return SqliteStore(self.settings.kbot_db)

    @cached_property
    def embedder(self) -> Embedder:
        from adapters.embedding.minilm import MiniLmEmbedder

        return MiniLmEmbedder()

    @cached_property
    def parser(self) -> FileParser:
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

    def checkpoint_store(self) -> CheckpointStore:
        """Connector checkpoints: the config table on AWS (a Fargate task's disk is gone after a run)."""
        if self.settings.kbot_config_table:
            from adapters.config_store.dynamodb_checkpoints import DynamoCheckpointStore

            return DynamoCheckpointStore(
                self.settings.kbot_config_table, region=self.settings.aws_region,
                profile=self.settings.aws_profile, max_attempts=self.settings.bedrock_max_attempts,
            )
        from adapters.store.checkpoints import SqliteCheckpointStore

        return SqliteCheckpointStore(self.settings.kbot_db)

    def ingest_pipeline(self, *, progress: bool = False, checkpoints: CheckpointStore | None = None):
        """(pipeline, sink, progress bar) for one ingest run into the configured backend."""
        from adapters.cli.progress import ProgressBar
        from ingest.pipeline import IngestPipeline

        sink = self.ingest_sink()
        bar = ProgressBar(enabled=progress, desc="indexing")
        return IngestPipeline(self.parser, sink, checkpoints, on_progress=bar.update), sink, bar

    # --- backend-dependent --------------------------------------------------------------
    @cached_property
    def bedrock(self):  # -> adapters.bedrock.factory.BedrockBackend
        if not self.settings.bedrock_knowledge_base_id and self.settings.bedrock_answer_mode != "agent":
            raise ConfigError("KBOT_BACKEND=bedrock needs BEDROCK_KNOWLEDGE_BASE_ID (or BEDROCK_AGENT_ID)")
        from adapters.bedrock.factory import build_bedrock

        return build_bedrock(self.settings)

    @cached_property
    def retriever(self) -> Retriever:
        if self.settings.kbot_backend == "bedrock":
            return self.bedrock.retriever
        return self.local_retriever

    @cached_property
    def answerer(self) -> Answerer:
        from bot.answering.metered import metered

        if self.settings.kbot_backend == "bedrock":
            return metered(self.bedrock.answerer)
        from bot.answering.extractive import ExtractiveAnswerer

        return metered(ExtractiveAnswerer(
            self.local_retriever, self.embedder, top_k=self.settings.kbot_top_k,
            min_evidence=self.settings.kbot_min_evidence, term_stats=self.store,
        ))

    @cached_property
    def summarizer(self) -> Summarizer:
        if self.settings.kbot_backend == "bedrock":
            return self.bedrock.summarizer
        from bot.summarizing.extractive import ExtractiveSummarizer

        return ExtractiveSummarizer(self.embedder)

    # --- configuration, feedback, admin (bot.admin; docs/admin.md) ----------------------
    @cached_property
    def config(self):  # -> bot.admin.ports.ConfigRepository (SourceRepository + channels, admins, audit)
        if self.settings.kbot_config_table:
            from adapters.config_store.dynamodb_config import DynamoConfigRepository

            return DynamoConfigRepository(
                self.settings.kbot_config_table, region=self.settings.aws_region,
                profile=self.settings.aws_profile, max_attempts=self.settings.bedrock_max_attempts,
            )
        from adapters.config_store.sqlite_config import SqliteConfigRepository

        return SqliteConfigRepository(self.settings.kbot_db)

    @cached_property
    def feedback(self) -> FeedbackRecorder:
        return self.config

    @cached_property
    def groups(self):  # -> bot.admin.ports.GroupResolver
        from adapters.config_store.factory import build_group_resolver

        return build_group_resolver(self)

    @cached_property
    def admin(self):  # -> bot.admin.service.AdminService
        from adapters.config_store.factory import build_admin_service

        return build_admin_service(self)

    async def aclose(self) -> None:
        for name in ("store", "config"):
            comp = self.__dict__.get(name)
            if comp is not None and hasattr(comp, "close"):
                res = comp.close()
                if hasattr(res, "__await__"):
                    await res
