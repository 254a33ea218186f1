"""Checks for lesson 01: sequences and the recurrent cell.

Each wrong answer listed here differs from the right one in a single term,
so that a match names the mistake.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes, rnn_weights
from rnncourse.checks.exercise import Exercise, register
from rnncourse.reference._checks import sigmoid
from rnncourse.reference.simple_rnn import rnn_forward as ref_forward
from rnncourse.reference.simple_rnn import rnn_step as ref_step
from rnncourse.reference.simple_rnn import simple_rnn_param_count as ref_count


def _relu(z):
    return np.maximum(z, 0.0)


def _step_mistakes(x, h, W_xh, W_hh, b_h):
    """Typical wrong versions of one RNN step, each with the message naming it."""
    z = x @ W_xh + h @ W_hh + b_h
    return [
        (
            "the bias b_h seems missing: your output equals tanh(x_t W_xh + h_prev W_hh).",
            np.tanh(x @ W_xh + h @ W_hh),
        ),
        (
            "tanh seems missing: your output equals the pre-activation "
            "x_t W_xh + h_prev W_hh + b_h.",
            z,
        ),
        ("you applied tanh twice.", np.tanh(np.tanh(z))),
        (
            "the recurrent term seems missing: your output does not depend on h_prev "
            "(add h_prev @ W_hh).",
            np.tanh(x @ W_xh + b_h),
        ),
        (
            "the input term seems missing: your output does not depend on x_t (add x_t @ W_xh).",
            np.tanh(h @ W_hh + b_h),
        ),
        (
            "W_hh looks transposed: you computed h_prev @ W_hh.T. In Keras's layout the rows of "
            "W_hh index the previous state, so the product is h_prev @ W_hh.",
            np.tanh(x @ W_xh + h @ W_hh.T + b_h),
        ),
        (
            "you used the logistic sigmoid; a vanilla RNN (and Keras's SimpleRNN) uses tanh.",
            sigmoid(z),
        ),
        ("you used ReLU; a vanilla RNN (and Keras's SimpleRNN) uses tanh here.", _relu(z)),
    ]


@register
class RnnStep(Exercise):
    """``rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t``."""

    name = "rnn_step"
    lesson = "01"
    # the text forbids no change: no input is read-only
    input_names = ("x_t", "h_prev", "W_xh", "W_hh", "b_h")

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, input_dim, units = distinct_sizes(rng, 3)
            x_t = rng.normal(size=(batch, input_dim))
            h_prev = rng.uniform(-0.9, 0.9, size=(batch, units))
            cases.append((x_t, h_prev, *rnn_weights(rng, input_dim, units)))
        return cases

    def judge(self, case, value):
        compare_arrays(value, ref_step(*case), _step_mistakes(*case), what="h_t")


def _forward_mistakes(x, h0, W_xh, W_hh, b_h):
    right = ref_forward(x, h0, W_xh, W_hh, b_h)
    zeros = np.zeros_like(h0)
    from_h0_each_step = np.stack(
        [ref_step(x[:, t], h0, W_xh, W_hh, b_h) for t in range(x.shape[1])], axis=1
    )
    before_update = np.concatenate([h0[:, None, :], right[:, :-1]], axis=1)
    with_h0 = np.concatenate([h0[:, None, :], right], axis=1)
    return [
        (
            "you returned only the last hidden state, shape (batch, units); return every "
            "step's state, shape (batch, time, units).",
            right[:, -1],
        ),
        (
            "your states are stacked time-major, (time, batch, units); stack along axis 1 "
            "to get (batch, time, units).",
            np.transpose(right, (1, 0, 2)),
        ),
        (
            "your output starts with the initial state h0; return h_1 ... h_T, one per input step.",
            with_h0,
        ),
        (
            "your outputs are one step late: you stored the state before updating it "
            "(h_0 ... h_{T-1}).",
            before_update,
        ),
        (
            "your output matches a run that starts from zeros: use the initial state h0 "
            "you were given.",
            ref_forward(x, zeros, W_xh, W_hh, b_h),
        ),
        (
            "every step seems to start from h0 instead of the previous step's state: "
            "carry h forward through the loop.",
            from_h0_each_step,
        ),
        ("the bias b_h seems missing.", ref_forward(x, h0, W_xh, W_hh, 0 * b_h)),
        (
            "W_hh looks transposed: use h @ W_hh, not h @ W_hh.T.",
            ref_forward(x, h0, W_xh, W_hh.T, b_h),
        ),
    ]


@register
class RnnForward(Exercise):
    """``rnn_forward(x, h0, W_xh, W_hh, b_h) -> all hidden states``."""

    name = "rnn_forward"
    lesson = "01"
    # the text forbids no change: no input is read-only
    input_names = ("x", "h0", "W_xh", "W_hh", "b_h")

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps, input_dim, units = distinct_sizes(rng, 4, 2, 8)
            x = rng.normal(size=(batch, steps, input_dim))
            h0 = rng.uniform(-0.9, 0.9, size=(batch, units))
            cases.append((x, h0, *rnn_weights(rng, input_dim, units)))
        return cases

    def judge(self, case, value):
        compare_arrays(
            value, ref_forward(*case), _forward_mistakes(*case), what="the hidden states"
        )


@register
class SimpleRnnFromWeights(Exercise):
    """``simple_rnn_from_weights(W_xh, W_hh, b_h) -> keras.layers.SimpleRNN``.

    A case is ``(W_xh, W_hh, b_h, x)``: the learner's function gets the
    weights, and the layer it returns is applied to ``x``.
    """

    name = "simple_rnn_from_weights"
    lesson = "01"
    time_limit = 60.0  # the first Keras layer built in a process takes a while

    def cases(self, rng):
        cases = []
        for _ in range(2):
            batch, steps, input_dim, units = distinct_sizes(rng, 4, 2, 8)
            W_xh, W_hh, b_h = rnn_weights(rng, input_dim, units)
            x = rng.normal(size=(batch, steps, input_dim)).astype("float32")
            cases.append((W_xh, W_hh, b_h, x))
        return cases

    def run(self, function, case):
        W_xh, W_hh, b_h, x = case
        layer = function(W_xh, W_hh, b_h)
        if not callable(layer):
            return {"type": type(layer).__name__, "output": None}
        return {"type": type(layer).__name__, "output": layer(x)}

    def judge(self, case, value):
        W_xh, W_hh, b_h, x = case
        if not isinstance(value, dict):
            raise Failure(f"expected a Keras layer, got {describe(value)}.")
        if value.get("type") != "SimpleRNN":
            raise Failure(
                f"return a keras.layers.SimpleRNN layer; you returned a {value.get('type')}."
            )
        zeros = np.zeros((x.shape[0], W_hh.shape[0]))
        right = ref_forward(x, zeros, W_xh, W_hh, b_h)
        mistakes = [
            (
                "the layer returns only the last state: create it with return_sequences=True.",
                right[:, -1],
            ),
            (
                "W_hh looks transposed: set_weights takes [W_xh, W_hh, b_h] in Keras's layout, "
                "with no transposition.",
                ref_forward(x, zeros, W_xh, W_hh.T, b_h),
            ),
            (
                "the bias is missing: set_weights needs [W_xh, W_hh, b_h] and use_bias=True.",
                ref_forward(x, zeros, W_xh, W_hh, 0 * b_h),
            ),
            (
                "the activation is not tanh: keep SimpleRNN's default activation.",
                ref_forward(x, zeros, W_xh, W_hh, b_h, activation=_relu),
            ),
            (
                "the layer reads the sequence backwards: leave go_backwards=False.",
                ref_forward(x[:, ::-1], zeros, W_xh, W_hh, b_h),
            ),
        ]
        compare_arrays(
            value.get("output"),
            right,
            mistakes,
            what="the layer's output",
            rtol=1e-5,
            atol=1e-5,  # Keras computes in float32
        )


@register
class SimpleRnnParamCount(Exercise):
    """``simple_rnn_param_count(input_dim, units) -> int``."""

    name = "simple_rnn_param_count"
    lesson = "01"
    input_names = ("input_dim", "units")

    def cases(self, rng):
        # Distinct sizes first: there every typical mistake gives its own count, so
        # the first failing case names it. (1, 1) comes last: there several coincide.
        pairs = [tuple(int(v) for v in distinct_sizes(rng, 2, 2, 64)) for _ in range(3)]
        return [*pairs, (3, 5), (8, 2), (1, 1)]

    def judge(self, case, value):
        input_dim, units = case
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Failure(f"return a whole number of parameters; you returned {describe(value)}.")
        right = ref_count(input_dim, units)
        if value == right:
            return
        mistakes = [
            (
                units * (input_dim + units),
                "the bias is missing: a SimpleRNN has one bias vector with `units` entries.",
            ),
            (units * (input_dim + 1), "the recurrent kernel W_hh (units × units) is missing."),
            (units * (units + 1), "the input kernel W_xh (input_dim × units) is missing."),
            (
                units * (input_dim + units + 2),
                "you counted two bias vectors, as PyTorch's nn.RNN has; Keras's SimpleRNN has one.",
            ),
            (
                input_dim * units + units * units * units + units,
                "W_hh has units × units entries, not units³.",
            ),
        ]
        counts = [wrong for wrong, _ in mistakes]
        for wrong, message in mistakes:
            if value == wrong and wrong != right and counts.count(wrong) == 1:
                raise Failure(
                    f"{message} (input_dim={input_dim}, units={units}: you said "
                    f"{value}, the layer has {right}.)"
                )
        raise Failure(
            f"for input_dim={input_dim}, units={units} you said {value}, but the layer has "
            f"{right} parameters. Count W_xh, W_hh and b_h."
        )
