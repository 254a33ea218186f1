"""Learner answers for lesson 04's exercises (contract 3): right ones written differently,
and the typical wrong ones with a substring of the message each must get."""

from __future__ import annotations

import functools

import numpy as np


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


# --------------------------------------------------------------------------- lstm_step: right


def lstm_step_numpy(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    c_t = _sigmoid(z_f) * c_prev + _sigmoid(z_i) * np.tanh(z_c)
    return _sigmoid(z_o) * np.tanh(c_t), c_t


def lstm_step_float32(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    x_t, h_prev, c_prev, kernel, recurrent_kernel, bias = (
        np.asarray(a, dtype=np.float32)
        for a in (x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    )
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    u = z.shape[-1] // 4
    i, f, o = (1 / (1 + np.exp(-z[:, k * u : (k + 1) * u])) for k in (0, 1, 3))
    c_t = f * c_prev + i * np.tanh(z[:, 2 * u : 3 * u])
    return o * np.tanh(c_t), c_t


def lstm_step_in_place(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel
    z += h_prev @ recurrent_kernel
    z += bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c_prev *= _sigmoid(f)  # modifies the input: allowed, the text does not forbid it
    c_prev += _sigmoid(i) * np.tanh(g)
    h_prev[...] = _sigmoid(o) * np.tanh(c_prev)
    return h_prev, c_prev


def lstm_step_einsum(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = np.einsum("bi,ij->bj", x_t, kernel) + np.einsum("bu,uj->bj", h_prev, recurrent_kernel)
    z = z + bias
    units = h_prev.shape[1]
    blocks = [z[:, k * units : (k + 1) * units] for k in range(4)]
    i, f, o = (0.5 * (1 + np.tanh(0.5 * blocks[k])) for k in (0, 1, 3))  # sigmoid via tanh
    c_t = f * c_prev + i * np.tanh(blocks[2])
    h_t = o * np.tanh(c_t)
    return (h_t, c_t)


def lstm_step_keras_ops(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    import keras

    ops = keras.ops
    z = ops.matmul(x_t, kernel) + ops.matmul(h_prev, recurrent_kernel) + bias
    i, f, g, o = ops.split(z, 4, axis=-1)
    c_t = ops.sigmoid(f) * c_prev + ops.sigmoid(i) * ops.tanh(g)
    h_t = ops.sigmoid(o) * ops.tanh(c_t)
    return ops.convert_to_numpy(h_t), ops.convert_to_numpy(c_t)


# --------------------------------------------------------------------------- lstm_step: wrong


def _lstm(
    x,
    h,
    c,
    W,
    U,
    b,
    order="ifco",
    acts=None,
    cell_out=np.tanh,
    candidate=True,
    memory="c",
    use_bias=True,
    old_c_out=False,
):
    act = {"i": _sigmoid, "f": _sigmoid, "c": np.tanh, "o": _sigmoid, **(acts or {})}
    blocks = np.split(x @ W + h @ U + (b if use_bias else 0.0), 4, axis=-1)
    g = {k: act[k](blocks[order.index(k)]) for k in "ifco"}
    c_t = g["f"] * (c if memory == "c" else h) + g["i"] * (g["c"] if candidate else 1.0)
    return g["o"] * cell_out(c if old_c_out else c_t), c_t


def lstm_step_i_f_swapped(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, order="fico")


def lstm_step_c_o_swapped(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, order="ifoc")


def lstm_step_icfo(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, order="icfo")


def lstm_step_tanh_i(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, acts={"i": np.tanh})


def lstm_step_tanh_f(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, acts={"f": np.tanh})


def lstm_step_tanh_o(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, acts={"o": np.tanh})


def lstm_step_sigmoid_candidate(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, acts={"c": _sigmoid})


def lstm_step_no_tanh_out(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, cell_out=lambda v: v)


def lstm_step_old_c_out(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, old_c_out=True)


def lstm_step_no_candidate(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, candidate=False)


def lstm_step_h_memory(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, memory="h")


def lstm_step_no_bias(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b, use_bias=False)


def lstm_step_reversed(x, h, c, W, U, b):
    h_t, c_t = _lstm(x, h, c, W, U, b)
    return c_t, h_t


def lstm_step_only_h(x, h, c, W, U, b):
    return _lstm(x, h, c, W, U, b)[0]


def lstm_step_list_of_odd(x, h, c, W, U, b):
    h_t, c_t = _lstm(x, h, c, W, U, b)
    return [h_t, c_t[:, :1]]


def lstm_step_none(x, h, c, W, U, b):
    return None


# --------------------------------------------------------------------------- gru_step: right


def gru_step_numpy(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    u_z, u_r, u_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z, r = _sigmoid(x_z + u_z), _sigmoid(x_r + u_r)
    return z * h_prev + (1 - z) * np.tanh(x_h + r * u_h)


def gru_step_float32(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_t, h_prev, kernel, recurrent_kernel, bias = (
        np.asarray(a, np.float32) for a in (x_t, h_prev, kernel, recurrent_kernel, bias)
    )
    units = h_prev.shape[1]
    xs = x_t @ kernel + bias[0]
    us = h_prev @ recurrent_kernel + bias[1]
    z = 1 / (1 + np.exp(-(xs[:, :units] + us[:, :units])))
    r = 1 / (1 + np.exp(-(xs[:, units : 2 * units] + us[:, units : 2 * units])))
    h_tilde = np.tanh(xs[:, 2 * units :] + r * us[:, 2 * units :])
    return h_tilde + z * (h_prev - h_tilde)


def gru_step_in_place(x_t, h_prev, kernel, recurrent_kernel, bias):
    xs = x_t @ kernel
    xs += bias[0]
    us = h_prev @ recurrent_kernel
    us += bias[1]
    x_z, x_r, x_h = np.split(xs, 3, axis=-1)
    u_z, u_r, u_h = np.split(us, 3, axis=-1)
    z = _sigmoid(x_z + u_z)
    h_tilde = np.tanh(x_h + _sigmoid(x_r + u_r) * u_h)
    h_prev *= z  # modifies the input: allowed
    h_prev += (1 - z) * h_tilde
    return h_prev


def gru_step_einsum(x_t, h_prev, kernel, recurrent_kernel, bias):
    units = h_prev.shape[1]
    xs = np.einsum("bi,ij->bj", x_t, kernel) + bias[0]
    us = np.einsum("bu,uj->bj", h_prev, recurrent_kernel) + bias[1]
    blocks = [
        (xs[:, k * units : (k + 1) * units], us[:, k * units : (k + 1) * units]) for k in range(3)
    ]
    z = 0.5 * (1 + np.tanh(0.5 * (blocks[0][0] + blocks[0][1])))
    r = 0.5 * (1 + np.tanh(0.5 * (blocks[1][0] + blocks[1][1])))
    return z * h_prev + (1 - z) * np.tanh(blocks[2][0] + r * blocks[2][1])


def gru_step_keras_ops(x_t, h_prev, kernel, recurrent_kernel, bias):
    import keras

    ops = keras.ops
    x_z, x_r, x_h = ops.split(ops.matmul(x_t, kernel) + bias[0], 3, axis=-1)
    u_z, u_r, u_h = ops.split(ops.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=-1)
    z = ops.sigmoid(x_z + u_z)
    h_tilde = ops.tanh(x_h + ops.sigmoid(x_r + u_r) * u_h)
    return ops.convert_to_numpy(z * h_prev + (1 - z) * h_tilde)


# --------------------------------------------------------------------------- gru_step: wrong


def _gru(
    x,
    h,
    W,
    U,
    b,
    order="zrh",
    reset_after=True,
    swap=False,
    bias_x=True,
    bias_h=True,
    swap_rows=False,
    acts=None,
    bias_outside=False,
    no_reset=False,
):
    act = {"z": _sigmoid, "r": _sigmoid, "h": np.tanh, **(acts or {})}
    bx, bh = (b[1], b[0]) if swap_rows else (b[0], b[1])
    xs = np.split(x @ W + (bx if bias_x else 0), 3, axis=-1)
    Us = np.split(U, 3, axis=-1)
    bhs = np.split(bh if bias_h else 0 * bh, 3)
    k = {name: order.index(name) for name in "zrh"}
    z = act["z"](xs[k["z"]] + h @ Us[k["z"]] + bhs[k["z"]])
    r = 1.0 if no_reset else act["r"](xs[k["r"]] + h @ Us[k["r"]] + bhs[k["r"]])
    if not reset_after:
        cand = xs[k["h"]] + (r * h) @ Us[k["h"]] + bhs[k["h"]]
    elif bias_outside:
        cand = xs[k["h"]] + r * (h @ Us[k["h"]]) + bhs[k["h"]]
    else:
        cand = xs[k["h"]] + r * (h @ Us[k["h"]] + bhs[k["h"]])
    cand = act["h"](cand)
    return (1 - z) * h + z * cand if swap else z * h + (1 - z) * cand


def gru_step_reset_before(x, h, W, U, b):
    return _gru(x, h, W, U, b, reset_after=False)


def gru_step_bias_outside(x, h, W, U, b):
    return _gru(x, h, W, U, b, bias_outside=True)


def gru_step_z_swapped(x, h, W, U, b):
    return _gru(x, h, W, U, b, swap=True)


def gru_step_rzh(x, h, W, U, b):
    return _gru(x, h, W, U, b, order="rzh")


def gru_step_zhr(x, h, W, U, b):
    return _gru(x, h, W, U, b, order="zhr")


def gru_step_hzr(x, h, W, U, b):
    return _gru(x, h, W, U, b, order="hzr")


def gru_step_no_recurrent_bias(x, h, W, U, b):
    return _gru(x, h, W, U, b, bias_h=False)


def gru_step_no_input_bias(x, h, W, U, b):
    return _gru(x, h, W, U, b, bias_x=False)


def gru_step_rows_swapped(x, h, W, U, b):
    return _gru(x, h, W, U, b, swap_rows=True)


def gru_step_no_reset(x, h, W, U, b):
    return _gru(x, h, W, U, b, no_reset=True)


def gru_step_tanh_z(x, h, W, U, b):
    return _gru(x, h, W, U, b, acts={"z": np.tanh})


def gru_step_tanh_r(x, h, W, U, b):
    return _gru(x, h, W, U, b, acts={"r": np.tanh})


def gru_step_sigmoid_candidate(x, h, W, U, b):
    return _gru(x, h, W, U, b, acts={"h": _sigmoid})


def gru_step_none(x, h, W, U, b):
    return None


# --------------------------------------------------------------------------- lstm_cell_layer


@functools.cache
def _cell_class():
    import keras

    ops = keras.ops

    class Cell(keras.Layer):
        def __init__(
            self,
            units,
            order="ifco",
            output="h",
            states="hc",
            recurrent_first=False,
            style="split",
            **kwargs,
        ):
            super().__init__(**kwargs)
            self.units, self.order, self.out_kind = units, order, output
            self.states, self.recurrent_first, self.style = states, recurrent_first, style
            self.state_size = [units, units]
            self.output_size = units

        def build(self, input_shape):
            make = {
                "kernel": lambda: self.add_weight(
                    shape=(input_shape[-1], 4 * self.units), name="kernel"
                ),
                "recurrent_kernel": lambda: self.add_weight(
                    shape=(self.units, 4 * self.units), name="recurrent_kernel"
                ),
            }
            first = (
                ("recurrent_kernel", "kernel")
                if self.recurrent_first
                else ("kernel", "recurrent_kernel")
            )
            for name in first:
                setattr(self, name, make[name]())
            self.bias = self.add_weight(shape=(4 * self.units,), name="bias", initializer="zeros")

        def call(self, inputs, states):
            h_prev, c_prev = states[0], states[1]
            if self.style == "einsum":
                z = (
                    ops.einsum("bi,ij->bj", inputs, self.kernel)
                    + ops.einsum("bu,uj->bj", h_prev, self.recurrent_kernel)
                    + self.bias
                )
                u = self.units
                blocks = [z[:, k * u : (k + 1) * u] for k in range(4)]
            else:
                z = (
                    ops.matmul(inputs, self.kernel)
                    + ops.matmul(h_prev, self.recurrent_kernel)
                    + self.bias
                )
                blocks = ops.split(z, 4, axis=-1)
            i, f, g, o = (blocks[self.order.index(name)] for name in "ifco")
            c_t = ops.sigmoid(f) * c_prev + ops.sigmoid(i) * ops.tanh(g)
            h_t = ops.sigmoid(o) * ops.tanh(c_t)
            new_states = [c_t, h_t] if self.states == "ch" else [h_t, c_t]
            return (c_t if self.out_kind == "c" else h_t), new_states

    return Cell


def lstm_cell_layer_split(units):
    return _cell_class()(units)


def lstm_cell_layer_einsum(units):
    return _cell_class()(units, style="einsum")


def lstm_cell_layer_builtin(units):
    import keras

    return keras.layers.LSTMCell(units)  # the same weights in the same order: accepted


def lstm_cell_layer_i_f_swapped(units):
    return _cell_class()(units, order="fico")


def lstm_cell_layer_output_c(units):
    return _cell_class()(units, output="c")


def lstm_cell_layer_states_swapped(units):
    return _cell_class()(units, states="ch")


def lstm_cell_layer_recurrent_first(units):
    return _cell_class()(units, recurrent_first=True)


_ONE_CELL = {}


def lstm_cell_layer_reused(units):
    if "cell" not in _ONE_CELL:
        _ONE_CELL["cell"] = _cell_class()(units)
    return _ONE_CELL["cell"]


def lstm_cell_layer_fixed_units(units):
    return _cell_class()(8 if units != 8 else 9)


def lstm_cell_layer_not_a_layer(units):
    return units


RIGHT = {
    "lstm_step": [
        lstm_step_numpy,
        lstm_step_float32,
        lstm_step_in_place,
        lstm_step_einsum,
        lstm_step_keras_ops,
    ],
    "gru_step": [
        gru_step_numpy,
        gru_step_float32,
        gru_step_in_place,
        gru_step_einsum,
        gru_step_keras_ops,
    ],
    "lstm_cell_layer": [lstm_cell_layer_split, lstm_cell_layer_einsum, lstm_cell_layer_builtin],
}

WRONG = {
    "lstm_step": [
        (lstm_step_i_f_swapped, "input and forget gates look swapped"),
        (lstm_step_c_o_swapped, "candidate and the output gate look swapped"),
        (lstm_step_icfo, "i, c, f, o"),
        (lstm_step_tanh_i, "tanh to the input gate"),
        (lstm_step_tanh_f, "tanh to the forget gate"),
        (lstm_step_tanh_o, "tanh to the output gate"),
        (lstm_step_sigmoid_candidate, "sigmoid to the cell candidate"),
        (lstm_step_no_tanh_out, "forgot the tanh on the cell output"),
        (lstm_step_old_c_out, "old cell state c_prev"),
        (lstm_step_no_candidate, "candidate is missing"),
        (lstm_step_h_memory, "used h_prev as the memory"),
        (lstm_step_no_bias, "bias seems missing"),
        (lstm_step_reversed, "return the pair in the order (h_t, c_t)"),
        (lstm_step_only_h, "return both states"),
        (lstm_step_list_of_odd, "should both be arrays"),
        (lstm_step_none, "return a pair"),
    ],
    "gru_step": [
        (gru_step_reset_before, "reset_after=False"),
        (gru_step_bias_outside, "recurrent bias sits outside the reset gate"),
        (gru_step_z_swapped, "z and 1 - z look swapped"),
        (gru_step_rzh, "update and reset gates look swapped"),
        (gru_step_zhr, "reset gate and the candidate look swapped"),
        (gru_step_hzr, "your gate order is h, z, r"),
        (gru_step_no_recurrent_bias, "recurrent bias"),
        (gru_step_no_input_bias, "input bias"),
        (gru_step_rows_swapped, "bias rows look swapped"),
        (gru_step_no_reset, "reset gate seems missing"),
        (gru_step_tanh_z, "tanh to the update gate"),
        (gru_step_tanh_r, "tanh to the reset gate"),
        (gru_step_sigmoid_candidate, "sigmoid to the candidate"),
        (gru_step_none, "forget the `return`"),
    ],
    "lstm_cell_layer": [
        (lstm_cell_layer_i_f_swapped, "input and forget gates look swapped"),
        (lstm_cell_layer_output_c, "output is the cell state"),
        (lstm_cell_layer_states_swapped, "wrong order"),
        (lstm_cell_layer_recurrent_first, "in that order"),
        (lstm_cell_layer_reused, "same cell object"),
        (lstm_cell_layer_fixed_units, "pass the `units` argument on"),
        (lstm_cell_layer_not_a_layer, "return an instance of your keras.Layer"),
    ],
}

SEEDS = {"lstm_cell_layer": 3}
