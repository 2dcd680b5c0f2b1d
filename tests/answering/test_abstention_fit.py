"""The bench's abstention-fit helpers: ROC AUC and the logistic fit (bench/abstention_fit.py)."""

import numpy as np

from bench.abstention_fit import auc, fit


def test_auc_counts_positive_over_negative_pairs() -> None:
    y = np.array([1, 1, 0, 0])
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), y) == 1.0
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), y) == 0.0
    assert auc(np.array([0.5, 0.5, 0.5, 0.5]), y) == 0.5
    assert auc(np.array([0.9, 0.3, 0.5, 0.1]), y) == 0.75


def test_auc_without_both_classes_is_undefined() -> None:
    assert np.isnan(auc(np.array([0.1, 0.2]), np.array([1, 1])))


def test_fit_weights_the_separating_signal_and_ignores_noise() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000).astype(float)
    x = np.column_stack([y * 2 - 1 + rng.normal(0, 1.5, 2000), rng.normal(0, 1, 2000)])
    w = fit(x, y)
    assert w[0] > 0.5 and abs(w[1]) < 0.2 * w[0]
