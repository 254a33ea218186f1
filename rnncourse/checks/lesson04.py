"""Checks for lesson 04: LSTM and GRU, the gated cells.

Each wrong answer listed here differs from the right one in a single term (one
gate's activation, the order of two gate blocks, one bias), so that a match
names the mistake. Weights and gates are in Keras's layout: LSTM columns in the
order i, f, c, o; GRU columns z, r, h with ``reset_after=True`` and a bias of
shape (2, 3·units).
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.reference._checks import sigmoid
from rnncourse.reference.gru import gru_step as ref_gru_step
from rnncourse.reference.lstm import lstm_forward as ref_lstm_forward
from rnncourse.reference.lstm import lstm_step as ref_lstm_step

# --------------------------------------------------------------------------- LSTM


def _lstm_weights(rng: np.random.Generator, input_dim: int, units: int):
    """Weights that keep every gate in its curved range, so that each mistake shows."""
    kernel = rng.normal(0.0, 0.6, size=(input_dim, 4 * units))
    recurrent_kernel = rng.normal(0.0, 0.6, size=(units, 4 * units))
    bias = rng.normal(0.0, 0.5, size=4 * units)
    return kernel, recurrent_kernel, bias


def _lstm_variant(
    x,
    h,
    c,
    W,
    U,
    b,
    *,
    order="ifco",
    acts=None,
    cell_out=np.tanh,
    candidate=True,
    memory="c",
    use_bias=True,
    new_c_in_output=True,
):
    """One LSTM step computed with one term changed; returns ``(h_t, c_t)``.

    ``order`` is the gate order the learner assumed for the column blocks
    (Keras's is "ifco"); ``acts`` maps gate names to the activations used.
    """
    activations = {"i": sigmoid, "f": sigmoid, "c": np.tanh, "o": sigmoid}
    activations.update(acts or {})
    z = x @ W + h @ U + (b if use_bias else 0.0)
    blocks = np.split(z, 4, axis=-1)
    gate = {name: activations[name](blocks[order.index(name)]) for name in "ifco"}
    old = c if memory == "c" else h
    write = gate["i"] * gate["c"] if candidate else gate["i"]
    c_t = gate["f"] * old + write
    h_t = gate["o"] * cell_out(c_t if new_c_in_output else c)
    return h_t, c_t


# (message, keyword arguments of _lstm_variant): each changes one term.
_LSTM_MISTAKES = [
    (
        "the input and forget gates look swapped: Keras's columns are in the order i, f, c, o "
        "(input gate, forget gate, cell candidate, output gate), so the first block of `units` "
        "columns is i and the second is f.",
        {"order": "fico"},
    ),
    (
        "the candidate and the output gate look swapped: the third block of columns is the cell "
        "candidate c̃ (tanh), the fourth the output gate o (sigmoid); Keras's order is i, f, c, o.",
        {"order": "ifoc"},
    ),
    (
        "your gate order is i, c, f, o (the order of some older TensorFlow cells); Keras's "
        "columns are i, f, c, o.",
        {"order": "icfo"},
    ),
    (
        "you applied tanh to the input gate i; the three gates i, f, o use the logistic sigmoid "
        "(values in (0, 1)), only the candidate c̃ uses tanh.",
        {"acts": {"i": np.tanh}},
    ),
    (
        "you applied tanh to the forget gate f; the gates i, f, o use the logistic sigmoid "
        "(values in (0, 1)), only the candidate c̃ uses tanh.",
        {"acts": {"f": np.tanh}},
    ),
    (
        "you applied tanh to the output gate o; the gates i, f, o use the logistic sigmoid "
        "(values in (0, 1)), only the candidate c̃ uses tanh.",
        {"acts": {"o": np.tanh}},
    ),
    (
        "you applied the sigmoid to the cell candidate c̃; it uses tanh, so that it can write "
        "negative as well as positive values.",
        {"acts": {"c": sigmoid}},
    ),
    (
        "you forgot the tanh on the cell output: h_t = o ⊙ tanh(c_t), not o ⊙ c_t.",
        {"cell_out": lambda v: v},
    ),
    (
        "your h_t uses the old cell state c_prev: compute c_t first, then h_t = o ⊙ tanh(c_t).",
        {"new_c_in_output": False},
    ),
    (
        "the candidate is missing from the write: c_t = f ⊙ c_prev + i ⊙ c̃, not f ⊙ c_prev + i.",
        {"candidate": False},
    ),
    (
        "you used h_prev as the memory: the forget gate multiplies the cell state, "
        "c_t = f ⊙ c_prev + i ⊙ c̃.",
        {"memory": "h"},
    ),
    ("the bias seems missing: the pre-activations are x_t W + h_prev U + b.", {"use_bias": False}),
]


def _lstm_step_mistakes(x, h, c, W, U, b):
    mistakes = [
        (message, np.stack(_lstm_variant(x, h, c, W, U, b, **options)))
        for message, options in _LSTM_MISTAKES
    ]
    h_t, c_t = ref_lstm_step(x, h, c, W, U, b)
    mistakes.append(
        ("you returned (c_t, h_t); return the pair in the order (h_t, c_t).", np.stack([c_t, h_t]))
    )
    return mistakes


def _as_pair(value, batch: int, units: int, names: str = "(h_t, c_t)"):
    """The learner's pair as one array (2, batch, units), or a Failure that says why not."""
    if isinstance(value, np.ndarray) and value.shape == (batch, units):
        raise Failure(
            f"you returned one array of shape {value.shape}; return both states, "
            f"as a tuple {names}."
        )
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == 2:
        return value
    if isinstance(value, list) and len(value) == 2:
        shapes = [describe(v) for v in value]
        raise Failure(
            f"the two states of {names} should both be arrays of shape "
            f"({batch}, {units}); you returned {shapes[0]} and {shapes[1]}."
        )
    raise Failure(
        f"return a pair {names}, each of shape ({batch}, {units}); you returned {describe(value)}."
    )


@register
class LstmStep(Exercise):
    """``lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``."""

    name = "lstm_step"
    lesson = "04"
    # the lesson does not forbid modifying the inputs: `c_prev *= f` is a right answer
    input_names = ("x_t", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, input_dim, units = distinct_sizes(rng, 3, 3, 8)
            x_t = rng.normal(size=(batch, input_dim))
            h_prev = rng.uniform(-0.9, 0.9, size=(batch, units))
            c_prev = rng.uniform(-2.0, 2.0, size=(batch, units))
            cases.append((x_t, h_prev, c_prev, *_lstm_weights(rng, input_dim, units)))
        return cases

    def judge(self, case, value):
        x, h, c = case[:3]
        pair = _as_pair(value, h.shape[0], h.shape[1])
        compare_arrays(
            pair, np.stack(ref_lstm_step(*case)), _lstm_step_mistakes(*case), what="(h_t, c_t)"
        )


# --------------------------------------------------------------------------- LSTM as a layer


def _lstm_forward_variant(x, W, U, b, *, swap_states=False, **options):
    """All outputs of an LSTM whose step has one term changed, from zero states.

    With ``swap_states`` the cell returns its new states as ``[c, h]`` while
    reading them as ``[h, c]``: each step then gets the old c as h and vice versa.
    """
    batch, units = x.shape[0], U.shape[0]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    outputs = []
    for t in range(x.shape[1]):
        h_t, c_t = _lstm_variant(x[:, t], h, c, W, U, b, **options)
        outputs.append(h_t)
        h, c = (c_t, h_t) if swap_states else (h_t, c_t)
    return np.stack(outputs, axis=1), h, c


def _cell_sequence_mistakes(x, W, U, b):
    mistakes = [
        (message, _lstm_forward_variant(x, W, U, b, **options)[0])
        for message, options in _LSTM_MISTAKES
    ]
    _, c_all = ref_lstm_forward(
        x, np.zeros((x.shape[0], U.shape[0])), np.zeros((x.shape[0], U.shape[0])), W, U, b
    )
    mistakes += [
        (
            "your cell's output is the cell state c_t: return h_t as the output and [h_t, c_t] as "
            "the new states.",
            c_all,
        ),
        (
            "the new states are in the wrong order: return [h_t, c_t], the order of state_size "
            "and of Keras's LSTM (states[0] is h, states[1] is c).",
            _lstm_forward_variant(x, W, U, b, swap_states=True)[0],
        ),
    ]
    return mistakes


@register
class LstmCellLayer(Exercise):
    """``lstm_cell_layer(units) -> a keras.Layer cell`` run in ``keras.layers.RNN``.

    A case is ``(kernel, recurrent_kernel, bias, x)``. ``run`` wraps the
    learner's cell in ``keras.layers.RNN(return_sequences=True,
    return_state=True)``, copies the weights of a built-in ``keras.layers.LSTM``
    holding these arrays into it and runs it on ``x``.
    """

    name = "lstm_cell_layer"
    lesson = "04"
    time_limit = 60.0  # the first Keras layers built in a process take a while

    def cases(self, rng):
        cases = []
        for _ in range(2):
            batch, steps, input_dim, units = distinct_sizes(rng, 4, 2, 7)
            weights = _lstm_weights(rng, input_dim, units)
            x = rng.normal(size=(batch, steps, input_dim)).astype("float32")
            cases.append((*weights, x))
        return cases

    def run(self, function, case):
        from rnncourse.environment import import_keras_quietly
        from rnncourse.layers.weights import lstm_from_weights

        keras = import_keras_quietly()
        kernel, recurrent_kernel, bias, x = case
        units = recurrent_kernel.shape[0]
        cell = function(units)
        if not isinstance(cell, keras.Layer):
            return {"type": type(cell).__name__}
        if function(units) is cell:
            return {"type": "Layer", "reused": True}
        if getattr(cell, "units", units) != units:
            return {"type": "Layer", "wrong_units": str(getattr(cell, "units", None))}
        builtin = lstm_from_weights(kernel, recurrent_kernel, bias)
        rnn = keras.layers.RNN(cell, return_sequences=True, return_state=True)
        rnn(x[:, :1])  # builds the cell
        shapes = [list(w.shape) for w in rnn.get_weights()]
        wanted = [list(w.shape) for w in builtin.get_weights()]
        if shapes != wanted:
            return {"type": "Layer", "weight_shapes": str(shapes), "wanted": str(wanted)}
        rnn.set_weights(builtin.get_weights())
        outputs = rnn(x)
        result = {"type": "Layer", "sequence": outputs[0], "n_states": len(outputs) - 1}
        for i, state in enumerate(outputs[1:3]):
            result[f"state{i}"] = state
        return result

    def judge(self, case, value):
        kernel, recurrent_kernel, bias, x = case
        if not isinstance(value, dict):
            raise Failure(f"expected a Keras layer (the cell), got {describe(value)}.")
        if value.get("type") != "Layer":
            raise Failure(
                f"return an instance of your keras.Layer cell class, e.g. "
                f"`return LSTMCellFromScratch(units)`; you returned a "
                f"{value.get('type')}."
            )
        if value.get("reused"):
            raise Failure(
                "`lstm_cell_layer` returned the same cell object twice: build a new cell on "
                "every call, `return LSTMCellFromScratch(units)` (a Keras layer can be built "
                "only once, for one input size)."
            )
        if "wrong_units" in value:
            raise Failure(
                f"`lstm_cell_layer({recurrent_kernel.shape[0]})` returned a cell with units = "
                f"{value['wrong_units']}: pass the `units` argument on, "
                f"`return LSTMCellFromScratch(units)`."
            )
        if "weight_shapes" in value:
            raise Failure(
                f"your cell's weights have the shapes {value['weight_shapes']}; keras.layers.LSTM "
                f"has {value['wanted']}: create kernel (input_dim, 4·units), recurrent_kernel "
                f"(units, 4·units) and bias (4·units,) in build, in that order."
            )
        batch, units = x.shape[0], recurrent_kernel.shape[0]
        zeros = np.zeros((batch, units))
        h_all, c_all = ref_lstm_forward(x, zeros, zeros, kernel, recurrent_kernel, bias)
        # keras.layers.RNN runs every cell in float32: the tolerances below are float32's band
        # over a few steps (to be dropped once compare_arrays scales its default, contract 2)
        compare_arrays(
            value.get("sequence"),
            h_all,
            _cell_sequence_mistakes(x, kernel, recurrent_kernel, bias),
            what="the sequence of outputs h_t",
            rtol=1e-4,
            atol=1e-5,
        )
        if value.get("n_states") != 2:
            raise Failure(
                f"the RNN returned {value.get('n_states')} final state(s); an LSTM "
                f"cell has two, [h, c]: set self.state_size = [units, units] and "
                f"return [h_t, c_t] as the new states."
            )
        final = np.stack([np.asarray(value.get("state0")), np.asarray(value.get("state1"))])
        mistakes = [
            (
                "the new states are in the order [c_t, h_t]; return [h_t, c_t], the "
                "order of Keras's LSTM (states[0] is h, states[1] is c).",
                np.stack([c_all[:, -1], h_all[:, -1]]),
            )
        ]
        compare_arrays(
            final,
            np.stack([h_all[:, -1], c_all[:, -1]]),
            mistakes,
            what="the final states [h_T, c_T]",
            rtol=1e-4,
            atol=1e-5,
        )


# --------------------------------------------------------------------------- GRU


def _gru_weights(rng: np.random.Generator, input_dim: int, units: int):
    kernel = rng.normal(0.0, 0.6, size=(input_dim, 3 * units))
    recurrent_kernel = rng.normal(0.0, 0.6, size=(units, 3 * units))
    bias = rng.normal(0.0, 0.5, size=(2, 3 * units))
    return kernel, recurrent_kernel, bias


def _gru_variant(
    x,
    h,
    W,
    U,
    b,
    *,
    order="zrh",
    reset_after=True,
    swap_interpolation=False,
    input_bias=True,
    recurrent_bias=True,
    swap_bias_rows=False,
    recurrent_bias_outside=False,
    reset_gate=True,
    acts=None,
):
    """One GRU step (Keras's reset_after=True layout) with one term changed."""
    activations = {"z": sigmoid, "r": sigmoid, "h": np.tanh}
    activations.update(acts or {})
    b_x, b_h = (b[1], b[0]) if swap_bias_rows else (b[0], b[1])
    b_x = b_x if input_bias else np.zeros_like(b_x)
    b_h = b_h if recurrent_bias else np.zeros_like(b_h)
    from_x = np.split(x @ W + b_x, 3, axis=-1)
    U_blocks = np.split(U, 3, axis=-1)
    b_blocks = np.split(b_h, 3)
    pick = {name: order.index(name) for name in "zrh"}
    x_z, x_r, x_h = (from_x[pick[name]] for name in "zrh")
    u_z, u_r = (h @ U_blocks[pick[name]] + b_blocks[pick[name]] for name in "zr")
    z = activations["z"](x_z + u_z)
    r = activations["r"](x_r + u_r) if reset_gate else 1.0
    U_h, b_hh = U_blocks[pick["h"]], b_blocks[pick["h"]]
    if not reset_after:
        candidate = x_h + (r * h) @ U_h + b_hh
    elif recurrent_bias_outside:
        candidate = x_h + r * (h @ U_h) + b_hh
    else:
        candidate = x_h + r * (h @ U_h + b_hh)
    h_tilde = activations["h"](candidate)
    if swap_interpolation:
        return (1.0 - z) * h + z * h_tilde
    return z * h + (1.0 - z) * h_tilde


_GRU_MISTAKES = [
    (
        "you applied the reset gate before the recurrent product, h̃ = tanh(x W_h + (r ⊙ h_prev) "
        "U_h + b): that is the reset_after=False form. Keras's default (reset_after=True) applies "
        "it after: h̃ = tanh(x W_h + b_x + r ⊙ (h_prev U_h + b_h)).",
        {"reset_after": False},
    ),
    (
        "the recurrent bias sits outside the reset gate: with reset_after=True it is part of the "
        "recurrent term, r ⊙ (h_prev U_h + b_h).",
        {"recurrent_bias_outside": True},
    ),
    (
        "z and 1 - z look swapped: in Keras's convention h_t = z ⊙ h_prev + (1 - z) ⊙ h̃, so "
        "z close to 1 keeps the old state.",
        {"swap_interpolation": True},
    ),
    (
        "the update and reset gates look swapped: Keras's GRU columns are in the order z, r, h "
        "(update gate, reset gate, candidate).",
        {"order": "rzh"},
    ),
    (
        "the reset gate and the candidate look swapped: Keras's GRU columns are in the order "
        "z, r, h (update gate, reset gate, candidate).",
        {"order": "zhr"},
    ),
    (
        "your gate order is h, z, r; Keras's GRU columns are in the order z, r, h (update gate, "
        "reset gate, candidate).",
        {"order": "hzr"},
    ),
    (
        "the recurrent bias (row 1 of the bias, shape (2, 3·units)) seems missing: it is added "
        "to h_prev U.",
        {"recurrent_bias": False},
    ),
    (
        "the input bias (row 0 of the bias) seems missing: it is added to x_t W.",
        {"input_bias": False},
    ),
    (
        "the two bias rows look swapped: bias[0] goes with the input (x_t W + bias[0]), "
        "bias[1] with the state (h_prev U + bias[1]).",
        {"swap_bias_rows": True},
    ),
    (
        "the reset gate seems missing from the candidate: h̃ = tanh(x W_h + b_x + r ⊙ "
        "(h_prev U_h + b_h)).",
        {"reset_gate": False},
    ),
    (
        "you applied tanh to the update gate z; the gates z and r use the logistic sigmoid.",
        {"acts": {"z": np.tanh}},
    ),
    (
        "you applied tanh to the reset gate r; the gates z and r use the logistic sigmoid.",
        {"acts": {"r": np.tanh}},
    ),
    ("you applied the sigmoid to the candidate h̃; it uses tanh.", {"acts": {"h": sigmoid}}),
]


@register
class GruStep(Exercise):
    """``gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t`` (reset_after=True)."""

    name = "gru_step"
    lesson = "04"
    # the lesson does not forbid modifying the inputs: `h_prev *= z` is allowed
    input_names = ("x_t", "h_prev", "kernel", "recurrent_kernel", "bias")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, input_dim, units = distinct_sizes(rng, 3, 3, 8)
            x_t = rng.normal(size=(batch, input_dim))
            h_prev = rng.uniform(-0.9, 0.9, size=(batch, units))
            cases.append((x_t, h_prev, *_gru_weights(rng, input_dim, units)))
        return cases

    def judge(self, case, value):
        mistakes = [(message, _gru_variant(*case, **options)) for message, options in _GRU_MISTAKES]
        compare_arrays(value, ref_gru_step(*case), mistakes, what="h_t")
