"""Lesson 09's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; nothing a learner writes may make a check raise.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function
from rnncourse.data import text

LN2 = np.log(2.0)


def _stub(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize(
    "name", ["loss_to_bits_per_char", "tempered_probabilities", "bigram_bits_per_char"]
)
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict


def test_package_functions_agree_with_the_definitions():
    bits, perplexity = text.loss_to_bits_per_char([[1.0, 2.0], [3.0, 0.0]])
    assert bits == pytest.approx(1.5 / LN2) and perplexity == pytest.approx(np.exp(1.5))
    p = text.tempered_probabilities(np.array([[1000.0, 0.0, 999.0]]), 1.0)
    assert np.all(np.isfinite(p)) and p[0, 0] == pytest.approx(1 / (1 + np.exp(-1)))
    assert np.allclose(text.tempered_probabilities([0.0, np.log(3.0)], 0.5), [0.1, 0.9])
    # the same uniform number for every temperature: a low temperature picks the top id
    picks = [
        text.sample_with_temperature([0.0, 1.0, 0.5], t, np.random.default_rng(3))
        for t in (0.05, 1.0, 100.0)
    ]
    assert picks[0] == 1 and all(0 <= p < 3 for p in picks)
    train, test = np.array([0, 1, 0, 1, 0]), np.array([0, 1, 1])
    # pairs 01 01 10 10: p(1|0) = 3/5 and p(1|1) = 1/5 with add-one smoothing (V = 3)
    expected = -(np.log2(3 / 5) + np.log2(1 / 5)) / 2
    assert text.bigram_bits_per_char(train, test, 3) == pytest.approx(expected)
    assert np.allclose(text.bigram_probabilities(train, 3).sum(axis=1), 1.0)
    assert text.unigram_bits_per_char(train, test, 3) == pytest.approx(-np.log2(3 / 8))


# --------------------------------------------------------------------------- exercise 1


def _bits(answer):
    return lambda losses: answer(np.asarray(losses))


BITS_ANSWERS = {
    "right": (lambda x: (x.mean() / LN2, 2 ** (x.mean() / LN2)), PASSED, "agree"),
    "right, e ** nats": (lambda x: (x.mean() / LN2, np.exp(x.mean())), PASSED, "agree"),
    "as an array": (lambda x: np.array([x.mean() / LN2, np.exp(x.mean())]), PASSED, "agree"),
    "nats": (lambda x: (x.mean(), 2 ** x.mean()), FAILED, "divide by ln 2"),
    "multiplied": (lambda x: (x.mean() * LN2, 2 ** (x.mean() * LN2)), FAILED, "multiplied by ln 2"),
    "log10": (lambda x: (x.mean() / np.log(10), 10 ** (x.mean() / np.log(10))), FAILED, "ln 10"),
    "per-sequence sum": (lambda x: (x.sum(axis=1).mean() / LN2, 1.0), FAILED, "per-sequence"),
    "total sum": (lambda x: (x.sum() / LN2, 1.0), FAILED, "summed every loss"),
    "log2 of the loss": (lambda x: (np.log2(x.mean()), 1.0), FAILED, "already a logarithm"),
    "2 ** nats": (lambda x: (x.mean() / LN2, 2 ** x.mean()), FAILED, "2 ** (nats)"),
    "e ** bits": (lambda x: (x.mean() / LN2, np.exp(x.mean() / LN2)), FAILED, "e ** bits"),
    "2 ** -bits": (lambda x: (x.mean() / LN2, 2 ** (-x.mean() / LN2)), FAILED, "inverse"),
    "mean of exp": (
        lambda x: (x.mean() / LN2, np.exp(x).mean()),
        FAILED,
        "not the mean of the exponentials",
    ),
    "bits only": (lambda x: x.mean() / LN2, FAILED, "two numbers"),
    "a dict": (lambda x: {"bits": 1.0, "perplexity": 2.0}, FAILED, "not a dict"),
    "no return": (lambda x: None, FAILED, "return"),
}


@pytest.mark.parametrize("answer", BITS_ANSWERS)
def test_loss_to_bits_per_char(answer):
    function, status, words = BITS_ANSWERS[answer]
    verdict = check_function("loss_to_bits_per_char", _bits(function))
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- exercise 2


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _renormalised_powers(z, t):
    powers = _softmax(z) ** (1 / t)
    return powers / powers.sum(axis=-1, keepdims=True)


def _float32_tempered(z, t):
    scaled = (z / t).astype(np.float32)
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


TEMPERATURE_ANSWERS = {
    "right": (lambda z, t: _softmax(z / t), PASSED, "agree"),
    "right, float32": (_float32_tempered, PASSED, "agree"),
    "right, float32 logits first": (
        lambda z, t: _float32_tempered(z.astype(np.float32), t),
        PASSED,
        "agree",
    ),
    "right, renormalised powers": (lambda z, t: _renormalised_powers(z, t), PASSED, "agree"),
    "multiplied by T": (lambda z, t: _softmax(z * t), FAILED, "multiplied the logits by T"),
    "no temperature": (lambda z, t: _softmax(z), FAILED, "no effect"),
    "power, not renormalised": (lambda z, t: _softmax(z) ** (1 / t), FAILED, "renormalise"),
    "probabilities / T": (lambda z, t: _softmax(z) / t, FAILED, "divided the probabilities"),
    "axis 0": (lambda z, t: _softmax(z / t, axis=0), FAILED, "axis 0"),
    "scaled logits": (lambda z, t: z / t, FAILED, "apply the softmax"),
    "log-probabilities": (lambda z, t: np.log(_softmax(z / t)), FAILED, "log-probabilities"),
    "no max subtracted": (lambda z, t: _naive(z / t), FAILED, "Subtract each row's maximum"),
    "global max": (lambda z, t: _global_max(z / t), FAILED, "each row's own"),
    "transposed": (lambda z, t: _softmax(z / t).T, FAILED, "transposed"),
}


@pytest.mark.parametrize("answer", TEMPERATURE_ANSWERS)
def test_tempered_probabilities(answer):
    function, status, words = TEMPERATURE_ANSWERS[answer]
    with np.errstate(all="ignore"):
        verdict = check_function("tempered_probabilities", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- exercise 3


def _bigram(
    smoothing=1.0,
    log=np.log2,
    denominator_v=True,
    joint=False,
    columns=False,
    swap=False,
    unigram=False,
    total=False,
    divide_by_n=False,
    from_test=False,
    all_counts=False,
):
    def answer(train, test, vocab):
        source = test if from_test else train
        pairs = np.zeros((vocab, vocab))
        np.add.at(pairs, (source[:-1], source[1:]), 1.0)
        counts = pairs + smoothing
        extra = vocab * smoothing if denominator_v else 0.0
        if joint:
            p = counts / (pairs.sum() + vocab * extra)
        elif columns:
            p = counts / (pairs.sum(axis=0, keepdims=True) + extra)
        elif all_counts:
            p = counts / (np.bincount(train, minlength=vocab)[:, None] + extra)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                p = counts / (pairs.sum(axis=1, keepdims=True) + extra)
        a, b = test[:-1], test[1:]
        if unigram:
            c = np.bincount(train, minlength=vocab) + 1.0
            costs = -log(c[b] / c.sum())
        else:
            with np.errstate(divide="ignore"):
                costs = -log(p[b, a] if swap else p[a, b])
        if total:
            return costs.sum()
        if divide_by_n:
            return costs.sum() / len(test)
        return costs.mean()

    return answer


BIGRAM_ANSWERS = {
    "right": (_bigram(), PASSED, "agree"),
    "natural log": (_bigram(log=np.log), FAILED, "natural log"),
    "no V in the denominator": (_bigram(denominator_v=False), FAILED, "V to each row's total"),
    "joint": (_bigram(joint=True), FAILED, "joint probability"),
    "columns": (_bigram(columns=True), FAILED, "columns"),
    "swapped lookup": (_bigram(swap=True), FAILED, "P[next, previous]"),
    "unigram": (_bigram(unigram=True), FAILED, "unigram"),
    "sum": (_bigram(total=True), FAILED, "mean per character"),
    "divided by len": (_bigram(divide_by_n=True), FAILED, "len(test_ids) - 1"),
    "counted the test text": (_bigram(from_test=True), FAILED, "train_ids only"),
    "every occurrence": (_bigram(all_counts=True), FAILED, "no successor"),
    "no smoothing": (_bigram(smoothing=0.0, denominator_v=False), FAILED, "add-one smoothing"),
    "a tuple": (lambda train, test, v: (1.0, 2.0), FAILED, "one number"),
    "a string": (lambda train, test, v: "3 bits", FAILED, "NumPy array"),
}


@pytest.mark.parametrize("answer", BIGRAM_ANSWERS)
def test_bigram_bits_per_char(answer):
    function, status, words = BIGRAM_ANSWERS[answer]
    with np.errstate(all="ignore"):
        verdict = check_function("bigram_bits_per_char", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


@pytest.mark.parametrize(
    "answer", ["right, float32", "right, float32 logits first", "no max subtracted", "global max"]
)
def test_tempered_probabilities_same_verdict_on_every_draw(answer):
    """Logits near +-900 are in every draw; float32 loses about 1e-4 there."""
    function, status, words = TEMPERATURE_ANSWERS[answer]
    for seed in range(30):
        with np.errstate(all="ignore"):
            verdict = check_function("tempered_probabilities", function, seed=seed)
        assert verdict.status == status and words in verdict.message, (seed, verdict)
