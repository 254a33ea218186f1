"""Lesson 01's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; nothing a learner writes may make a check raise.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check, check_function


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


STEP_ANSWERS = {
    "right": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b), PASSED, "agree"),
    "no bias": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), FAILED, "bias b_h seems missing"),
    "no tanh": (lambda x, h, W, U, b: x @ W + h @ U + b, FAILED, "tanh seems missing"),
    "tanh twice": (lambda x, h, W, U, b: np.tanh(np.tanh(x @ W + h @ U + b)), FAILED,
                   "tanh twice"),
    "transposed W_hh": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), FAILED,
                        "W_hh looks transposed"),
    "no recurrence": (lambda x, h, W, U, b: np.tanh(x @ W + b), FAILED, "recurrent term"),
    "sigmoid": (lambda x, h, W, U, b: _sigmoid(x @ W + h @ U + b), FAILED, "logistic sigmoid"),
    "relu": (lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0), FAILED, "ReLU"),
    "transposed output": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b).T, FAILED,
                          "looks transposed"),
    "no return": (lambda x, h, W, U, b: None, FAILED, "forget the `return`"),
    "a string": (lambda x, h, W, U, b: "h", FAILED, "should be a NumPy array"),
    "NaN": (lambda x, h, W, U, b: np.full((x.shape[0], U.shape[0]), np.nan), FAILED, "NaN"),
    "wrong shape": (lambda x, h, W, U, b: np.zeros((1, 1)), FAILED, "expected"),
    "raises": (lambda x, h, W, U, b: 1 / 0, FAILED, "ZeroDivisionError"),
}


def _stub(*args):
    raise NotImplementedError("rnn_step: write your code here")


@pytest.mark.parametrize("answer", STEP_ANSWERS)
def test_rnn_step(answer):
    function, status, words = STEP_ANSWERS[answer]
    verdict = check_function("rnn_step", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_stub_is_not_attempted():
    verdict = check_function("rnn_step", _stub)
    assert verdict.status == NOT_ATTEMPTED
    assert "NotImplementedError" in verdict.message


def _forward(step_fn=None, start=None, keep_h0=False, late=False, time_major=False, last=False,
             reset_each_step=False):
    def forward(x, h0, W, U, b):
        h = h0 if start is None else start(h0)
        states = [h0] if keep_h0 else []
        for t in range(x.shape[1]):
            previous = h0 if reset_each_step else h
            new = np.tanh(x[:, t] @ W + previous @ U + b)
            states.append(h if late else new)
            h = new
        if last:
            return h
        return np.stack(states, axis=0 if time_major else 1)
    return forward


FORWARD_ANSWERS = {
    "right": (_forward(), PASSED, "agree"),
    "last state only": (_forward(last=True), FAILED, "only the last hidden state"),
    "time-major": (_forward(time_major=True), FAILED, "time-major"),
    "includes h0": (_forward(keep_h0=True), FAILED, "starts with the initial state"),
    "one step late": (_forward(late=True), FAILED, "one step late"),
    "ignores h0": (_forward(start=np.zeros_like), FAILED, "starts from zeros"),
    "no carry": (_forward(reset_each_step=True), FAILED, "instead of the previous step"),
    "endless loop": (None, FAILED, "did not finish"),
}


@pytest.mark.parametrize("answer", FORWARD_ANSWERS)
def test_rnn_forward(answer, monkeypatch):
    function, status, words = FORWARD_ANSWERS[answer]
    if function is None:
        from rnncourse.checks import get_exercise

        monkeypatch.setattr(get_exercise("rnn_forward"), "time_limit", 0.5)

        def function(*args):
            while True:
                pass
    verdict = check_function("rnn_forward", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _layer_answer(keras, *, return_sequences=True, order=(0, 1, 2), activation="tanh",
                  go_backwards=False, transpose_recurrent=False, kind="SimpleRNN"):
    def build(W_xh, W_hh, b_h):
        if kind == "Dense":
            return keras.layers.Dense(3)
        layer = keras.layers.SimpleRNN(W_hh.shape[0], return_sequences=return_sequences,
                                       activation=activation, go_backwards=go_backwards)
        layer.build((None, None, W_xh.shape[0]))
        weights = [W_xh, W_hh.T if transpose_recurrent else W_hh, b_h]
        layer.set_weights([weights[i] for i in order])
        return layer
    return build


LAYER_ANSWERS = {
    "right": ({}, PASSED, "agree"),
    "no return_sequences": ({"return_sequences": False}, FAILED, "return_sequences=True"),
    "transposed recurrent kernel": ({"transpose_recurrent": True}, FAILED, "W_hh looks transposed"),
    "relu": ({"activation": "relu"}, FAILED, "activation is not tanh"),
    "backwards": ({"go_backwards": True}, FAILED, "go_backwards"),
    "weights swapped": ({"order": (1, 0, 2)}, FAILED, "ValueError"),
    "not an RNN": ({"kind": "Dense"}, FAILED, "you returned a Dense"),
}


@pytest.mark.parametrize("answer", LAYER_ANSWERS)
def test_simple_rnn_from_weights(answer, keras):
    options, status, words = LAYER_ANSWERS[answer]
    verdict = check_function("simple_rnn_from_weights", _layer_answer(keras, **options))
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


COUNT_ANSWERS = {
    "right": (lambda i, u: u * (i + u + 1), PASSED, "agree"),
    "numpy integer": (lambda i, u: np.int64(u * (i + u + 1)), PASSED, "agree"),
    "float": (lambda i, u: float(u * (i + u + 1)), PASSED, "agree"),
    "no bias": (lambda i, u: u * (i + u), FAILED, "bias is missing"),
    "no recurrent kernel": (lambda i, u: u * (i + 1), FAILED, "recurrent kernel"),
    "no input kernel": (lambda i, u: u * (u + 1), FAILED, "input kernel"),
    "two biases": (lambda i, u: u * (i + u + 2), FAILED, "two bias vectors"),
    "a string": (lambda i, u: "many", FAILED, "whole number"),
    "wrong": (lambda i, u: 7, FAILED, "Count W_xh, W_hh and b_h"),
}


@pytest.mark.parametrize("answer", COUNT_ANSWERS)
def test_simple_rnn_param_count(answer):
    function, status, words = COUNT_ANSWERS[answer]
    verdict = check_function("simple_rnn_param_count", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_check_finds_the_function_in_the_callers_namespace(capsys):
    namespace = {"check": check}
    exec("def simple_rnn_param_count(i, u):\n    return u * (i + u + 1)\n"
         "check('simple_rnn_param_count')", namespace)
    assert "✅ simple_rnn_param_count: passed" in capsys.readouterr().out


def test_check_never_raises_into_the_notebook(capsys):
    namespace = {"check": check}
    exec("check('rnn_forward')", namespace)  # not defined at all
    assert "⏳ rnn_forward: not attempted" in capsys.readouterr().out
    exec("rnn_step = 42\ncheck('rnn_step')", namespace)  # not a function
    assert "should be a function" in capsys.readouterr().out
    exec("import sys\ndef rnn_step(*a):\n    sys.exit(1)\ncheck('rnn_step')", namespace)
    assert "SystemExit" in capsys.readouterr().out
    exec("check('no_such_exercise')", namespace)
    assert "no exercise called" in capsys.readouterr().out


def test_strict_check_raises_on_failure():
    with pytest.raises(AssertionError, match="bias"):
        check("rnn_step", lambda x, h, W, U, b: np.tanh(x @ W + h @ U), strict=True)
    assert check("rnn_step", lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b), strict=True).passed


def test_learner_exception_message_points_at_the_learner_line():
    namespace = {"np": np}
    exec(compile("def rnn_step(x, h, W, U, b):\n    return x @ U\n", "<learner cell>", "exec"),
         namespace)
    verdict = check_function("rnn_step", namespace["rnn_step"])
    assert verdict.status == FAILED
    assert "ValueError" in verdict.message
