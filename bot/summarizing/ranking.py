"""Sentence ranking by centrality and coverage over unit embeddings (rows are L2-normalised)."""

from __future__ import annotations

import math

import numpy as np


def centrality(vectors: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    """Cosine of every row to the (normalised) centroid of the conversation."""
    norm = float(np.linalg.norm(centroid))
    if norm == 0 or len(vectors) == 0:
        return np.zeros(len(vectors), dtype=np.float32)
    return (vectors @ (centroid / norm)).astype(np.float32)


def length_prior(word_counts: list[int], ideal: int = 12) -> np.ndarray:
    """Favour informative sentences: grows with length up to ``ideal`` words, then flat-ish."""
    return np.array([min(1.0, math.log1p(w) / math.log1p(ideal)) for w in word_counts], dtype=np.float32)


def select(
    vectors: np.ndarray,
    base_scores: np.ndarray,
    k: int,
    *,
    coverage_weight: float = 0.5,
    redundancy_weight: float = 0.6,
) -> list[int]:
    """Greedy selection of ``k`` rows maximising score + coverage gain - redundancy.

    Coverage is the facility-location gain: how much the chosen set's best similarity to every
    other row improves. Redundancy is the highest similarity to an already chosen row (MMR).
    """
    n = len(vectors)
    if n == 0 or k <= 0:
        return []
    sims = np.clip(vectors @ vectors.T, 0.0, 1.0)
    covered = np.zeros(n, dtype=np.float32)
    chosen: list[int] = []
    max_sim_to_chosen = np.zeros(n, dtype=np.float32)
    for _ in range(min(k, n)):
        gain = np.maximum(sims, covered[None, :]).sum(axis=1) - covered.sum()
        gain = gain / max(n, 1)
        objective = base_scores + coverage_weight * gain - redundancy_weight * max_sim_to_chosen
        objective[chosen] = -np.inf
        best = int(np.argmax(objective))
        chosen.append(best)
        covered = np.maximum(covered, sims[best])
        max_sim_to_chosen = np.maximum(max_sim_to_chosen, sims[best])
    return chosen
