"""Lesson 05's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; nothing a learner writes may make a check raise.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function
from rnncourse.reference import rnn_forward


def _stub(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize(
    "name",
    [
        "bidirectional_rnn_forward",
        "reverse_padded",
        "residual_rnn_stack",
        "build_bidirectional_tagger",
    ],
)
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict


# --------------------------------------------------------------------------- bidirectional


def _merge(f, b, mode, order="fb", axis=-1):
    if mode == "concat":
        return np.concatenate([f, b] if order == "fb" else [b, f], axis=axis)
    return {"sum": f + b, "mul": f * b, "ave": (f + b) / 2}[mode]


def _bidirectional(
    reverse_input=True, flip_back=True, same_weights=False, order="fb", axis=-1, wrong_mode=None
):
    def forward(x, fw, bw, mode):
        zeros = np.zeros((x.shape[0], fw[1].shape[0]))
        f = rnn_forward(x, zeros, *fw)
        source = x[:, ::-1] if reverse_input else x
        b = rnn_forward(source, zeros, *(fw if same_weights else bw))
        if flip_back:
            b = b[:, ::-1]
        return _merge(f, b, wrong_mode or mode, order, axis)

    return forward


BIDIRECTIONAL_ANSWERS = {
    "right": (_bidirectional(), PASSED, "agree"),
    "not flipped back": (_bidirectional(flip_back=False), FAILED, "reversed time order"),
    "input not reversed": (
        _bidirectional(reverse_input=False, flip_back=False),
        FAILED,
        "did not read the sequence reversed",
    ),
    "only output flipped": (
        _bidirectional(reverse_input=False),
        FAILED,
        "only its output was flipped",
    ),
    "same weights": (_bidirectional(same_weights=True), FAILED, "forward weights"),
    "halves swapped": (_bidirectional(order="bf"), FAILED, "wrong order"),
    "time axis": (_bidirectional(axis=1), FAILED, "time axis"),
    "always sum": (_bidirectional(wrong_mode="sum"), FAILED, "'sum' merge"),
    "no return": (lambda *a: None, FAILED, "forget the `return`"),
}


@pytest.mark.parametrize("answer", BIDIRECTIONAL_ANSWERS)
def test_bidirectional_rnn_forward(answer):
    function, status, words = BIDIRECTIONAL_ANSWERS[answer]
    verdict = check_function("bidirectional_rnn_forward", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- padded reversal


def _reverse(delta=0, everything=False):
    def reverse(x, lengths):
        if everything:
            return x[:, ::-1]
        out = x.copy()
        for b, n in enumerate(lengths):
            n = min(int(n) + delta, x.shape[1])
            out[b, :n] = x[b, :n][::-1]
        return out

    return reverse


def _reverse_negative_slice(x, lengths):
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, n - 1 :: -1]  # with n = 0 this is the whole row
    return out


REVERSE_ANSWERS = {
    "right": (_reverse(), PASSED, "agree"),
    "padding reversed": (_reverse(everything=True), FAILED, "reversed the padding too"),
    "one too few": (_reverse(delta=-1), FAILED, "one step too few"),
    "one too many": (_reverse(delta=+1), FAILED, "one step too many"),
    "identity": (lambda x, lengths: x, FAILED, "nothing was reversed"),
    "batch axis": (lambda x, lengths: x[::-1], FAILED, "batch axis"),
    "feature axis": (lambda x, lengths: x[..., ::-1], FAILED, "feature axis"),
    "negative slice on an empty row": (_reverse_negative_slice, FAILED, "ValueError"),
}


@pytest.mark.parametrize("answer", REVERSE_ANSWERS)
def test_reverse_padded(answer):
    function, status, words = REVERSE_ANSWERS[answer]
    verdict = check_function("reverse_padded", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_reverse_padded_cases_hold_the_edge_cases_on_every_draw():
    from rnncourse.checks import get_exercise
    from rnncourse.checks.exercise import NOTEBOOK_SEED

    exercise = get_exercise("reverse_padded")
    assert set(exercise.read_only_inputs) == {"x", "lengths"}
    for seed in [NOTEBOOK_SEED, *range(30)]:
        for x, lengths in exercise.cases(np.random.default_rng(seed)):
            steps = x.shape[1]
            assert 0 in lengths and steps in lengths
            assert any(0 < n < steps for n in lengths)


# --------------------------------------------------------------------------- residual stack


def _stack(
    keras,
    kind="SimpleRNN",
    skip="all",
    layers=None,
    last_sequences=True,
    from_input=False,
    bidirectional=False,
    reuse=False,
    extra=None,
    **options,
):
    def stack(inputs, units, depth):
        h = inputs
        n = depth if layers is None else layers
        shared = getattr(keras.layers, kind)(units, return_sequences=True)
        for k in range(n):
            make = getattr(keras.layers, kind)
            layer = make(units, return_sequences=last_sequences or k < n - 1, **options)
            if reuse:
                layer = shared
            if bidirectional:
                layer = keras.layers.Bidirectional(layer, merge_mode="sum")
            out = layer(h)
            if extra is not None:
                out = getattr(keras.layers, extra)()(out)
            use_skip = (
                skip == "all"
                or (skip == "last" and k == n - 1)
                or (skip == "not last" and k < n - 1)
            )
            if use_skip and last_sequences:
                h = keras.layers.Add()([inputs if from_input else h, out])
            else:
                h = out
        return h

    return stack


STACK_ANSWERS = {
    "right": ({}, PASSED, "agree"),
    "right with GRU": ({"kind": "GRU"}, PASSED, "agree"),
    "right with LSTM": ({"kind": "LSTM"}, PASSED, "agree"),
    "no residual": ({"skip": "none"}, FAILED, "no residual connection"),
    "last layer without skip": ({"skip": "not last"}, FAILED, "last layer has no skip"),
    "only last skip": ({"skip": "last"}, FAILED, "only the last layer"),
    "skip from the input": ({"from_input": True}, FAILED, "original input"),
    "one layer short": ({"layers": 1}, FAILED, "your stack has 1"),
    "last returns a vector": ({"last_sequences": False}, FAILED, "return_sequences=False"),
    "bidirectional": ({"bidirectional": True}, FAILED, "Bidirectional"),
    "one layer reused": ({"reuse": True}, FAILED, "one recurrent layer object"),
    "recurrent dropout": ({"kind": "GRU", "recurrent_dropout": 0.2}, FAILED, "no dropout"),
    "input dropout": ({"dropout": 0.1}, FAILED, "no dropout"),
    "layer normalisation": ({"extra": "LayerNormalization"}, FAILED, "normalisation"),
}


@pytest.mark.parametrize("answer", STACK_ANSWERS)
def test_residual_rnn_stack(answer, keras):
    options, status, words = STACK_ANSWERS[answer]
    verdict = check_function("residual_rnn_stack", _stack(keras, **options))
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- the tagger


def _tagger(
    keras,
    bidirectional=True,
    return_sequences=True,
    activation="softmax",
    tags=None,
    kind="model",
    fixed_units=None,
):
    def build(vocab_size, n_tags, units):
        if kind == "layer":
            return keras.layers.Dense(n_tags)
        rnn = keras.layers.GRU(fixed_units or units, return_sequences=return_sequences)
        return keras.Sequential(
            [
                keras.Input((None,), dtype="int32"),
                keras.layers.Embedding(vocab_size, 16),
                keras.layers.Bidirectional(rnn) if bidirectional else rnn,
                keras.layers.Dense(tags or n_tags, activation=activation),
            ]
        )

    return build


TAGGER_ANSWERS = {
    "right": ({}, PASSED, "agree"),
    "unidirectional": ({"bidirectional": False}, FAILED, "no Bidirectional layer"),
    "one tag per sentence": ({"return_sequences": False}, FAILED, "one tag per sentence"),
    "logits": ({"activation": None}, FAILED, "not softmax over the tags"),
    "too few tags": ({"tags": 3}, FAILED, "has 3 units"),
    "a layer": ({"kind": "layer"}, FAILED, "return a keras.Model"),
    "units hard-coded": ({"fixed_units": 16}, FAILED, "`units` argument"),
}


@pytest.mark.parametrize("answer", TAGGER_ANSWERS)
def test_build_bidirectional_tagger(answer, keras):
    options, status, words = TAGGER_ANSWERS[answer]
    verdict = check_function("build_bidirectional_tagger", _tagger(keras, **options))
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_tagger_below_the_ceiling_fails_on_accuracy():
    """The judge alone (training is exercised by the right answer above)."""
    from rnncourse.checks import get_exercise
    from rnncourse.checks.core import Failure

    value = {
        "type": "Model",
        "bidirectional": True,
        "units": [12],
        "shape": [3, 12, 7],
        "length": 12,
        "n_tags": 7,
        "softmax": True,
        "ceiling": 0.892,
        "accuracy": 0.89,
    }
    with pytest.raises(Failure, match="left-to-right ceiling"):
        get_exercise("build_bidirectional_tagger").judge((0, 12), value)
    get_exercise("build_bidirectional_tagger").judge((0, 12), {**value, "accuracy": 0.99})


def test_tagger_units_are_never_the_lessons_16():
    from rnncourse.checks import get_exercise

    exercise = get_exercise("build_bidirectional_tagger")
    drawn = {exercise.cases(np.random.default_rng(seed))[0][1] for seed in range(40)}
    assert 16 not in drawn and len(drawn) > 1
