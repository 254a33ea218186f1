"""Lesson 02's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; the stub is "not attempted".
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse import reference
from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function


def _stub(*args):
    raise NotImplementedError("write your code here")


# --------------------------------------------------------------------------- bptt_backward


def _bptt(tanh_grad=True, prev="right", carry=True, keep="sum", transpose=False, dh0_late=False,
          last_only=False):
    def backward(dh_all, x, h0, h_all, W_xh, W_hh):
        batch, steps, units = h_all.shape
        dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(units)
        flowing = np.zeros((batch, units))
        dh = None
        for t in reversed(range(steps)):
            dh = dh_all[:, t] + (flowing if carry else 0)
            if prev == "right":
                h_prev = h_all[:, t - 1] if t > 0 else h0
            elif prev == "current":
                h_prev = h_all[:, t]
            else:  # the classic wrap-around: h_all[:, -1] at t = 0
                h_prev = h_all[:, t - 1]
            da = dh * (1 - h_all[:, t] ** 2) if tanh_grad else dh
            if keep == "sum":
                dW_xh += x[:, t].T @ da
                dW_hh += h_prev.T @ da
                db_h += da.sum(axis=0)
            elif keep == "assign" or t == steps - 1:
                dW_xh, dW_hh, db_h = x[:, t].T @ da, h_prev.T @ da, da.sum(axis=0)
            flowing = da @ (W_hh if transpose else W_hh.T)
        result = (dW_xh, dW_hh, db_h, dh if dh0_late else flowing)
        return result[:3] if last_only else result
    return backward


BPTT_ANSWERS = {
    "right": (_bptt(), PASSED, "agree"),
    "reference": (lambda *a: tuple(reference.rnn_backward(*a)[k]
                                   for k in ("W_xh", "W_hh", "b_h", "h0")), PASSED, "agree"),
    "no tanh derivative": (_bptt(tanh_grad=False), FAILED, "tanh derivative seems missing"),
    "h_t in dW_hh": (_bptt(prev="current"), FAILED, "uses h_t where it needs h_{t-1}"),
    "wrap-around at t=0": (_bptt(prev="wrap"), FAILED, "off by one at t = 0"),
    "no carry": (_bptt(carry=False), FAILED, "not accumulated"),
    "= instead of +=": (_bptt(keep="assign"), FAILED, "only one step's copy"),
    "last step only": (_bptt(keep="last"), FAILED, "only the last time step's copy"),
    "transposed W_hh": (_bptt(transpose=True), FAILED, "transposed in the backward product"),
    "dh0 one step late": (_bptt(dh0_late=True), FAILED, "dh0 is off by one step"),
    "three gradients": (_bptt(last_only=True), FAILED, "tuple of 4 arrays"),
    "no return": (lambda *a: None, FAILED, "forget the `return`"),
}


@pytest.mark.parametrize("answer", BPTT_ANSWERS)
def test_bptt_backward(answer):
    function, status, words = BPTT_ANSWERS[answer]
    verdict = check_function("bptt_backward", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- stream_to_windows


def _windows(shift=1, interleave=False, deal=False, overlap=False, batch_major=False,
             swap=False):
    def cut(ids, B, T):
        n = (len(ids) - 1) // (B * T)
        L = n * T
        if interleave:
            cols_x = ids[:B * L].reshape(L, B).T
            cols_y = ids[1:B * L + 1].reshape(L, B).T
        else:
            cols_x = ids[:B * L].reshape(B, L)
            cols_y = ids[shift:B * L + shift].reshape(B, L)
        if deal:
            x, y = ids[:B * L].reshape(n, B, T), ids[1:B * L + 1].reshape(n, B, T)
        elif overlap:
            x = np.stack([cols_x[:, w * (T - 1): w * (T - 1) + T] for w in range(n)])
            y = np.stack([cols_y[:, w * (T - 1): w * (T - 1) + T] for w in range(n)])
        else:
            x = cols_x.reshape(B, n, T).transpose(1, 0, 2)
            y = cols_y.reshape(B, n, T).transpose(1, 0, 2)
        if batch_major:
            x, y = x.transpose(1, 0, 2), y.transpose(1, 0, 2)
        return (y, x) if swap else (x, y)
    return cut


STREAM_ANSWERS = {
    "right": (_windows(), PASSED, "agree"),
    "reference": (lambda ids, B, T: tuple(__import__("rnncourse.data").data.batch_stream(
        ids, B, T)), PASSED, "agree"),
    "not shifted": (_windows(shift=0), FAILED, "targets are not shifted"),
    "swapped": (_windows(swap=True), FAILED, "swapped"),
    "interleaved columns": (_windows(interleave=True), FAILED, "columns are interleaved"),
    "windows dealt out": (_windows(deal=True), FAILED, "do not continue each other"),
    "overlapping windows": (_windows(overlap=True), FAILED, "windows overlap"),
    "batch-major": (_windows(batch_major=True), FAILED, "(B, n_windows, window)"),
    "one array": (lambda ids, B, T: np.zeros((2, 3)), FAILED, "pair (inputs, targets)"),
}


@pytest.mark.parametrize("answer", STREAM_ANSWERS)
def test_stream_to_windows(answer):
    function, status, words = STREAM_ANSWERS[answer]
    verdict = check_function("stream_to_windows", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- truncated BPTT


def _truncated(start="carried", keep="all", truncate=True):
    def gradients(dh_all, x, h0, h_all, W_xh, W_hh, window):
        steps = h_all.shape[1]
        if not truncate:
            window = steps
        starts = list(range(0, steps, window))
        starts = {"all": starts, "first": starts[:1], "last": starts[-1:]}[keep]
        total = [0, 0, 0]
        for s in starts:
            if s == 0 or start == "h0":
                h_start = h0
            elif start == "zeros":
                h_start = np.zeros_like(h0)
            elif start == "late":
                h_start = h_all[:, s]
            else:
                h_start = h_all[:, s - 1]
            g = reference.rnn_backward(dh_all[:, s:s + window], x[:, s:s + window], h_start,
                                       h_all[:, s:s + window], W_xh, W_hh)
            total = [total[0] + g["W_xh"], total[1] + g["W_hh"], total[2] + g["b_h"]]
        return tuple(total)
    return gradients


TRUNCATED_ANSWERS = {
    "right": (_truncated(), PASSED, "agree"),
    "not truncated": (_truncated(truncate=False), FAILED, "full BPTT"),
    "starts from h0": (_truncated(start="h0"), FAILED, "starts from h0"),
    "starts from zeros": (_truncated(start="zeros"), FAILED, "starts from zeros"),
    "start one step late": (_truncated(start="late"), FAILED, "off by one"),
    "first window only": (_truncated(keep="first"), FAILED, "only the first window"),
    "last window only": (_truncated(keep="last"), FAILED, "only the last window"),
    "a dict": (lambda *a: {"W_xh": 0}, FAILED, "tuple of 3 arrays"),
}


@pytest.mark.parametrize("answer", TRUNCATED_ANSWERS)
def test_truncated_bptt_gradients(answer):
    function, status, words = TRUNCATED_ANSWERS[answer]
    verdict = check_function("truncated_bptt_gradients", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


@pytest.mark.parametrize("name", ["bptt_backward", "stream_to_windows",
                                  "truncated_bptt_gradients"])
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict
    assert "NotImplementedError" in verdict.message


def test_checks_pass_across_seeds():
    """The right answers pass whatever cases the grader draws (it picks fresh seeds)."""
    from rnncourse.checks import get_exercise

    answers = {"bptt_backward": _bptt(), "stream_to_windows": _windows(),
               "truncated_bptt_gradients": _truncated()}
    for name, function in answers.items():
        exercise = get_exercise(name)
        for seed in range(5):
            cases = exercise.cases(np.random.default_rng(seed))
            verdict = exercise.verdict(cases, exercise.observe_all(function, cases))
            assert verdict.status == PASSED, (name, seed, verdict)


# --------------------------------------------------------------------------- issue 12 (fairness)


def _no_minus_one(pad):
    def cut(ids, B, T):
        n = len(ids) // (B * T)
        stream = np.concatenate([ids, [0]]) if pad else ids
        shape = (B, n, T)
        return (stream[:B * n * T].reshape(shape).transpose(1, 0, 2),
                stream[1:B * n * T + 1].reshape(shape).transpose(1, 0, 2))
    return cut


@pytest.mark.parametrize("pad", [False, True], ids=["reshape fails", "padded"])
def test_stream_without_the_minus_one_fails_on_every_draw(pad):
    from rnncourse.checks import get_exercise
    from rnncourse.checks.exercise import NOTEBOOK_SEED

    for seed in [NOTEBOOK_SEED, *range(20)]:
        cases = get_exercise("stream_to_windows").cases(np.random.default_rng(seed))
        assert any(len(ids) % (B * T) == 0 for ids, B, T in cases), seed  # the edge case is drawn
        verdict = check_function("stream_to_windows", _no_minus_one(pad), seed=seed)
        assert verdict.status == FAILED and 'Mind the "- 1"' in verdict.message, (seed, verdict)


def _accumulate_into_dh_all(dh_all, x, h0, h_all, W_xh, W_hh):
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    for t in reversed(range(h_all.shape[1])):
        da = dh_all[:, t] * (1 - h_all[:, t] ** 2)
        dW_xh += x[:, t].T @ da
        dW_hh += (h_all[:, t - 1] if t else h0).T @ da
        db_h += da.sum(axis=0)
        if t:
            dh_all[:, t - 1] += da @ W_hh.T  # reuses its input: allowed
    return dW_xh, dW_hh, db_h, da @ W_hh.T


def _float32(function):
    def wrapped(*args):
        args = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args]
        return tuple(np.asarray(g, dtype=np.float32) for g in function(*args))
    return wrapped


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3, 4])
def test_right_answers_that_reuse_inputs_or_use_float32_pass(seed):
    from rnncourse.checks.exercise import NOTEBOOK_SEED

    seed = NOTEBOOK_SEED if seed is None else seed
    for name, function in [("bptt_backward", _accumulate_into_dh_all),
                           ("bptt_backward", _float32(_bptt())),
                           ("truncated_bptt_gradients", _float32(_truncated()))]:
        verdict = check_function(name, function, seed=seed)
        assert verdict.status == PASSED, (name, seed, verdict)


def test_named_slips():
    def wrap_at_zero(dh_all, x, h0, h_all, W_xh, W_hh, window):
        total = [0, 0, 0]
        for s in range(0, h_all.shape[1], window):
            g = reference.rnn_backward(dh_all[:, s:s + window], x[:, s:s + window],
                                       h_all[:, s - 1], h_all[:, s:s + window], W_xh, W_hh)
            total = [total[0] + g["W_xh"], total[1] + g["W_hh"], total[2] + g["b_h"]]
        return tuple(total)

    verdict = check_function("truncated_bptt_gradients", wrap_at_zero)
    assert verdict.status == FAILED and "h_all[:, -1], the LAST state" in verdict.message

    def swapped(*args):
        dW_xh, dW_hh, db_h, dh0 = _bptt()(*args)
        return dW_xh, dW_hh, dh0, db_h

    verdict = check_function("bptt_backward", swapped)
    assert verdict.status == FAILED and "wrong order" in verdict.message, verdict
