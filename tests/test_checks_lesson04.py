"""Lesson 04's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; the stub must count as not attempted.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function
from rnncourse.checks.exercise import NOTEBOOK_SEED


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _identity(v):
    return v


def _lstm_step(
    order="ifco",
    gate_act=None,
    cell_out=np.tanh,
    candidate=True,
    memory="c",
    bias=True,
    old_c_out=False,
    reverse=False,
    only_h=False,
):
    acts = {"i": _sigmoid, "f": _sigmoid, "c": np.tanh, "o": _sigmoid, **(gate_act or {})}

    def step(x, h, c, W, U, b):
        z = x @ W + h @ U + (b if bias else 0)
        blocks = np.split(z, 4, axis=-1)
        g = {k: acts[k](blocks[order.index(k)]) for k in "ifco"}
        c_t = g["f"] * (c if memory == "c" else h) + g["i"] * (g["c"] if candidate else 1)
        h_t = g["o"] * cell_out(c if old_c_out else c_t)
        if only_h:
            return h_t
        return (c_t, h_t) if reverse else (h_t, c_t)

    return step


LSTM_STEP_ANSWERS = {
    "right": (_lstm_step(), PASSED, "agree"),
    "i and f swapped": (_lstm_step(order="fico"), FAILED, "input and forget gates look swapped"),
    "c and o swapped": (_lstm_step(order="ifoc"), FAILED, "candidate and the output gate"),
    "order i c f o": (_lstm_step(order="icfo"), FAILED, "i, c, f, o"),
    "tanh on i": (_lstm_step(gate_act={"i": np.tanh}), FAILED, "tanh to the input gate"),
    "tanh on f": (_lstm_step(gate_act={"f": np.tanh}), FAILED, "tanh to the forget gate"),
    "tanh on o": (_lstm_step(gate_act={"o": np.tanh}), FAILED, "tanh to the output gate"),
    "sigmoid candidate": (
        _lstm_step(gate_act={"c": _sigmoid}),
        FAILED,
        "sigmoid to the cell candidate",
    ),
    "no tanh on the cell output": (
        _lstm_step(cell_out=_identity),
        FAILED,
        "forgot the tanh on the cell output",
    ),
    "old c in the output": (_lstm_step(old_c_out=True), FAILED, "old cell state"),
    "no candidate": (_lstm_step(candidate=False), FAILED, "candidate is missing"),
    "h as memory": (_lstm_step(memory="h"), FAILED, "used h_prev as the memory"),
    "no bias": (_lstm_step(bias=False), FAILED, "bias seems missing"),
    "reversed pair": (_lstm_step(reverse=True), FAILED, "(c_t, h_t)"),
    "only h": (_lstm_step(only_h=True), FAILED, "return both states"),
    "None": (lambda *a: None, FAILED, "return a pair"),
}


@pytest.mark.parametrize("answer", LSTM_STEP_ANSWERS)
def test_lstm_step(answer):
    function, status, words = LSTM_STEP_ANSWERS[answer]
    verdict = check_function("lstm_step", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _stub(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize("name", ["lstm_step", "gru_step"])
def test_stubs_are_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict


def _gru_step(
    order="zrh",
    reset_after=True,
    swap=False,
    bias_x=True,
    bias_h=True,
    swap_rows=False,
    gate_act=None,
):
    acts = {"z": _sigmoid, "r": _sigmoid, "h": np.tanh, **(gate_act or {})}

    def step(x, h, W, U, b):
        bx, bh = (b[1], b[0]) if swap_rows else (b[0], b[1])
        xs = np.split(x @ W + (bx if bias_x else 0), 3, axis=-1)
        Us = np.split(U, 3, axis=-1)
        bhs = np.split(bh if bias_h else 0 * bh, 3)
        k = {name: order.index(name) for name in "zrh"}
        z = acts["z"](xs[k["z"]] + h @ Us[k["z"]] + bhs[k["z"]])
        r = acts["r"](xs[k["r"]] + h @ Us[k["r"]] + bhs[k["r"]])
        if reset_after:
            cand = acts["h"](xs[k["h"]] + r * (h @ Us[k["h"]] + bhs[k["h"]]))
        else:
            cand = acts["h"](xs[k["h"]] + (r * h) @ Us[k["h"]] + bhs[k["h"]])
        return (1 - z) * h + z * cand if swap else z * h + (1 - z) * cand

    return step


GRU_ANSWERS = {
    "right": (_gru_step(), PASSED, "agree"),
    "reset before": (_gru_step(reset_after=False), FAILED, "reset_after=False"),
    "z swapped": (_gru_step(swap=True), FAILED, "z and 1 - z look swapped"),
    "z and r swapped": (_gru_step(order="rzh"), FAILED, "update and reset gates look swapped"),
    "r and h swapped": (_gru_step(order="zhr"), FAILED, "reset gate and the candidate"),
    "no recurrent bias": (_gru_step(bias_h=False), FAILED, "recurrent bias"),
    "no input bias": (_gru_step(bias_x=False), FAILED, "input bias"),
    "bias rows swapped": (_gru_step(swap_rows=True), FAILED, "bias rows look swapped"),
    "tanh on z": (_gru_step(gate_act={"z": np.tanh}), FAILED, "tanh to the update gate"),
    "sigmoid candidate": (_gru_step(gate_act={"h": _sigmoid}), FAILED, "sigmoid to the candidate"),
}


@pytest.mark.parametrize("answer", GRU_ANSWERS)
def test_gru_step(answer):
    function, status, words = GRU_ANSWERS[answer]
    verdict = check_function("gru_step", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _cell_factory(
    keras,
    *,
    order="ifco",
    cell_out="tanh",
    output="h",
    states_order="hc",
    recurrent_first=False,
    kind="cell",
):
    ops = keras.ops

    class Cell(keras.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = [units, units]

        def build(self, input_shape):
            if recurrent_first:
                self.recurrent_kernel = self.add_weight(
                    shape=(self.units, 4 * self.units), name="recurrent_kernel"
                )
            self.kernel = self.add_weight(shape=(input_shape[-1], 4 * self.units), name="kernel")
            if not recurrent_first:
                self.recurrent_kernel = self.add_weight(
                    shape=(self.units, 4 * self.units), name="recurrent_kernel"
                )
            self.bias = self.add_weight(shape=(4 * self.units,), name="bias")

        def call(self, inputs, states):
            h_prev, c_prev = states[0], states[1]
            if states_order == "ch":
                h_prev, c_prev = c_prev, h_prev
            z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
            blocks = ops.split(z + self.bias, 4, axis=-1)
            i, f, g, o = (blocks[order.index(name)] for name in "ifco")
            c = ops.sigmoid(f) * c_prev + ops.sigmoid(i) * ops.tanh(g)
            h = ops.sigmoid(o) * (ops.tanh(c) if cell_out == "tanh" else c)
            new_states = [h, c] if states_order == "hc" else [c, h]
            return (h if output == "h" else c), new_states

    class Stub(Cell):
        def build(self, input_shape):
            raise NotImplementedError("lstm_cell_layer: write your code here")

    def make(units):
        if kind == "dense":
            return keras.layers.Dense(units)
        if kind == "stub":
            return Stub(units)
        if kind == "not a layer":
            return "cell"
        return Cell(units)

    return make


CELL_ANSWERS = {
    "right": ({}, PASSED, "agree"),
    "i and f swapped": ({"order": "fico"}, FAILED, "input and forget gates look swapped"),
    "c and o swapped": ({"order": "ifoc"}, FAILED, "candidate and the output gate"),
    "no tanh on the cell output": ({"cell_out": "none"}, FAILED, "forgot the tanh"),
    "c as the output": ({"output": "c"}, FAILED, "output is the cell state"),
    "states reversed": ({"states_order": "ch"}, FAILED, "[h_t, c_t]"),
    "weights in another order": (
        {"recurrent_first": True},
        FAILED,
        "create kernel (input_dim, 4·units)",
    ),
    "a Dense layer": ({"kind": "dense"}, FAILED, "state_size"),
    "not a layer": ({"kind": "not a layer"}, FAILED, "you returned a str"),
    "stub": ({"kind": "stub"}, NOT_ATTEMPTED, "NotImplementedError"),
}


@pytest.mark.parametrize("answer", CELL_ANSWERS)
def test_lstm_cell_layer(answer, keras):
    options, status, words = CELL_ANSWERS[answer]
    verdict = check_function("lstm_cell_layer", _cell_factory(keras, **options))
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _lstm_step_in_place(x, h, c, W, U, b):
    i, f, g, o = np.split(x @ W + h @ U + b, 4, axis=-1)
    c *= _sigmoid(f)  # the lesson does not forbid modifying the inputs
    c += _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def _lstm_step_float32(x, h, c, W, U, b):
    x, h, c, W, U, b = (np.asarray(a, np.float32) for a in (x, h, c, W, U, b))
    return _lstm_step()(x, h, c, W, U, b)


def _gru_step_in_place(x, h, W, U, b):
    h_t = _gru_step()(x, h.copy(), W, U, b)
    h[...] = h_t
    return h


@pytest.mark.parametrize("seed", [NOTEBOOK_SEED, 0, 1, 2, 3])
def test_answers_that_modify_their_inputs_or_use_float32_pass(seed):
    for name, function in [
        ("lstm_step", _lstm_step_in_place),
        ("lstm_step", _lstm_step_float32),
        ("gru_step", _gru_step_in_place),
    ]:
        verdict = check_function(name, function, seed=seed)
        assert verdict.status == PASSED, (name, function.__name__, verdict)


def test_lstm_cell_layer_reused_or_with_fixed_units(keras):
    make = _cell_factory(keras)
    cells = {}

    def reused(units):
        if "cell" not in cells:
            cells["cell"] = make(units)
        return cells["cell"]

    verdict = check_function("lstm_cell_layer", reused)
    assert verdict.status == FAILED and "same cell object" in verdict.message, verdict
    verdict = check_function("lstm_cell_layer", lambda units: make(units + 1))
    assert verdict.status == FAILED and "pass the `units` argument on" in verdict.message, verdict
