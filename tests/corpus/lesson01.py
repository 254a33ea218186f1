"""Learner answers for lesson 01's exercises: right ones written differently, and wrong ones.

Read by ``tests/test_learner_corpus.py`` (see ``tests/corpus/__init__.py``): every right
answer must pass, every wrong one must fail with the message substring given, on every draw
and both in the check cell and in the grader.
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()

# --------------------------------------------------------------------------- rnn_step


def step_numpy(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def step_float32(x_t, h_prev, W_xh, W_hh, b_h):
    f = np.float32
    return np.tanh(
        x_t.astype(f) @ W_xh.astype(f) + h_prev.astype(f) @ W_hh.astype(f) + b_h.astype(f)
    )


def step_in_place(x_t, h_prev, W_xh, W_hh, b_h):
    h_prev[...] = np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)  # reuses the array it is given
    return h_prev


def step_einsum(x_t, h_prev, W_xh, W_hh, b_h):
    z = np.einsum("bi,iu->bu", x_t, W_xh) + np.einsum("bu,uv->bv", h_prev, W_hh)
    return np.tanh(z + b_h[None, :])


def step_keras_ops(x_t, h_prev, W_xh, W_hh, b_h):
    ops = keras.ops
    z = ops.matmul(x_t, W_xh) + ops.matmul(h_prev, W_hh) + b_h
    return ops.convert_to_numpy(ops.tanh(z))


def step_loop(x_t, h_prev, W_xh, W_hh, b_h):
    out = np.empty((x_t.shape[0], W_hh.shape[1]))
    for b in range(x_t.shape[0]):
        for u in range(W_hh.shape[1]):
            z = b_h[u] + sum(x_t[b, i] * W_xh[i, u] for i in range(x_t.shape[1]))
            z += sum(h_prev[b, v] * W_hh[v, u] for v in range(W_hh.shape[0]))
            out[b, u] = np.tanh(z)
    return out


def step_no_bias(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh)


def step_no_tanh(x_t, h_prev, W_xh, W_hh, b_h):
    return x_t @ W_xh + h_prev @ W_hh + b_h


def step_tanh_twice(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h))


def step_no_recurrence(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + b_h)


def step_no_input(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(h_prev @ W_hh + b_h)


def step_transposed(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b_h)


def step_sigmoid(x_t, h_prev, W_xh, W_hh, b_h):
    return 1 / (1 + np.exp(-(x_t @ W_xh + h_prev @ W_hh + b_h)))


def step_relu(x_t, h_prev, W_xh, W_hh, b_h):
    return np.maximum(x_t @ W_xh + h_prev @ W_hh + b_h, 0)


# --------------------------------------------------------------------------- rnn_forward


def forward_loop(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def forward_float32(x, h0, W_xh, W_hh, b_h):
    f = np.float32
    x, h, W_xh, W_hh, b_h = (a.astype(f) for a in (x, h0, W_xh, W_hh, b_h))
    out = np.zeros((x.shape[0], x.shape[1], W_hh.shape[0]), dtype=f)
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        out[:, t] = h
    return out


def forward_in_place(x, h0, W_xh, W_hh, b_h):
    out = np.empty((x.shape[0], x.shape[1], h0.shape[1]))
    x_proj = x @ W_xh  # all input terms at once
    for t in range(x.shape[1]):
        h0[...] = np.tanh(x_proj[:, t] + h0 @ W_hh + b_h)  # carries the state in h0 itself
        out[:, t] = h0
    return out


def forward_scan(x, h0, W_xh, W_hh, b_h):
    def step(h, x_t):
        return np.tanh(x_t @ W_xh + h @ W_hh + b_h)

    states = list(accumulate(np.moveaxis(x, 1, 0), step, initial=h0))[1:]
    return np.stack(states, axis=1)


def forward_einsum_time_major(x, h0, W_xh, W_hh, b_h):
    xs = np.einsum("bti,iu->tbu", x, W_xh)
    h, states = h0, []
    for x_proj in xs:
        h = np.tanh(x_proj + np.einsum("bu,uv->bv", h, W_hh) + b_h)
        states.append(h)
    return np.transpose(np.array(states), (1, 0, 2))


def forward_last_only(x, h0, W_xh, W_hh, b_h):
    return forward_loop(x, h0, W_xh, W_hh, b_h)[:, -1]


def forward_time_major(x, h0, W_xh, W_hh, b_h):
    return np.transpose(forward_loop(x, h0, W_xh, W_hh, b_h), (1, 0, 2))


def forward_with_h0(x, h0, W_xh, W_hh, b_h):
    return np.concatenate([h0[:, None], forward_loop(x, h0, W_xh, W_hh, b_h)], axis=1)


def forward_one_step_late(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        states.append(h)
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
    return np.stack(states, axis=1)


def forward_from_zeros(x, h0, W_xh, W_hh, b_h):
    return forward_loop(x, np.zeros_like(h0), W_xh, W_hh, b_h)


def forward_no_carry(x, h0, W_xh, W_hh, b_h):
    return np.stack([np.tanh(x[:, t] @ W_xh + h0 @ W_hh + b_h) for t in range(x.shape[1])], 1)


def forward_no_bias(x, h0, W_xh, W_hh, b_h):
    return forward_loop(x, h0, W_xh, W_hh, 0 * b_h)


def forward_transposed(x, h0, W_xh, W_hh, b_h):
    return forward_loop(x, h0, W_xh, W_hh.T, b_h)


# ----------------------------------------------------------------- simple_rnn_from_weights


def layer_built(W_xh, W_hh, b_h):
    layer = keras.layers.SimpleRNN(W_hh.shape[0], return_sequences=True)
    layer.build((None, None, W_xh.shape[0]))
    layer.set_weights([W_xh, W_hh, b_h])
    return layer


def layer_float32(W_xh, W_hh, b_h):
    layer = keras.layers.SimpleRNN(W_hh.shape[0], return_sequences=True, activation="tanh")
    layer.build((None, None, W_xh.shape[0]))
    layer.set_weights([w.astype("float32") for w in (W_xh, W_hh, b_h)])
    return layer


def layer_called_then_assigned(W_xh, W_hh, b_h):
    layer = keras.layers.SimpleRNN(W_hh.shape[0], return_sequences=True)
    layer(np.zeros((1, 1, W_xh.shape[0]), dtype="float32"))  # builds it by calling it
    for variable, value in zip(layer.weights, (W_xh, W_hh, b_h)):
        variable.assign(value)
    return layer


def _layer(W_xh, W_hh, b_h, **options):
    layer = keras.layers.SimpleRNN(W_hh.shape[0], **options)
    layer.build((None, None, W_xh.shape[0]))
    return layer


def layer_last_only(W_xh, W_hh, b_h):
    layer = _layer(W_xh, W_hh, b_h)
    layer.set_weights([W_xh, W_hh, b_h])
    return layer


def layer_transposed(W_xh, W_hh, b_h):
    layer = _layer(W_xh, W_hh, b_h, return_sequences=True)
    layer.set_weights([W_xh, W_hh.T, b_h])
    return layer


def layer_relu(W_xh, W_hh, b_h):
    layer = _layer(W_xh, W_hh, b_h, return_sequences=True, activation="relu")
    layer.set_weights([W_xh, W_hh, b_h])
    return layer


def layer_backwards(W_xh, W_hh, b_h):
    layer = _layer(W_xh, W_hh, b_h, return_sequences=True, go_backwards=True)
    layer.set_weights([W_xh, W_hh, b_h])
    return layer


def layer_zero_bias(W_xh, W_hh, b_h):
    layer = _layer(W_xh, W_hh, b_h, return_sequences=True)
    layer.set_weights([W_xh, W_hh, np.zeros_like(b_h)])
    return layer


def layer_dense(W_xh, W_hh, b_h):
    return keras.layers.Dense(W_hh.shape[0])


# --------------------------------------------------------------------------- simple_rnn_param_count


def count_formula(input_dim, units):
    return units * (input_dim + units + 1)


def count_terms(input_dim, units):
    return np.int64(input_dim * units) + units**2 + units


def count_float(input_dim, units):
    return float(units * input_dim + units * units + units)


def count_no_bias(input_dim, units):
    return units * (input_dim + units)


def count_no_recurrent(input_dim, units):
    return units * (input_dim + 1)


def count_no_input(input_dim, units):
    return units * (units + 1)


def count_two_biases(input_dim, units):
    return units * (input_dim + units + 2)


def count_cubed(input_dim, units):
    return input_dim * units + units**3 + units


RIGHT = {
    "rnn_step": [step_numpy, step_float32, step_in_place, step_einsum, step_keras_ops, step_loop],
    "rnn_forward": [
        forward_loop,
        forward_float32,
        forward_in_place,
        forward_scan,
        forward_einsum_time_major,
    ],
    "simple_rnn_from_weights": [layer_built, layer_float32, layer_called_then_assigned],
    "simple_rnn_param_count": [count_formula, count_terms, count_float],
}

WRONG = {
    "rnn_step": [
        (step_no_bias, "bias b_h seems missing"),
        (step_no_tanh, "tanh seems missing"),
        (step_tanh_twice, "tanh twice"),
        (step_no_recurrence, "recurrent term seems missing"),
        (step_no_input, "input term seems missing"),
        (step_transposed, "W_hh looks transposed"),
        (step_sigmoid, "logistic sigmoid"),
        (step_relu, "ReLU"),
    ],
    "rnn_forward": [
        (forward_last_only, "only the last hidden state"),
        (forward_time_major, "time-major"),
        (forward_with_h0, "starts with the initial state"),
        (forward_one_step_late, "one step late"),
        (forward_from_zeros, "starts from zeros"),
        (forward_no_carry, "instead of the previous step"),
        (forward_no_bias, "bias b_h seems missing"),
        (forward_transposed, "W_hh looks transposed"),
    ],
    "simple_rnn_from_weights": [
        (layer_last_only, "return_sequences=True"),
        (layer_transposed, "W_hh looks transposed"),
        (layer_relu, "activation is not tanh"),
        (layer_backwards, "go_backwards"),
        (layer_zero_bias, "bias is missing"),
        (layer_dense, "you returned a Dense"),
    ],
    "simple_rnn_param_count": [
        (count_no_bias, "bias is missing"),
        (count_no_recurrent, "recurrent kernel"),
        (count_no_input, "input kernel"),
        (count_two_biases, "two bias vectors"),
        (count_cubed, "units³"),
    ],
}

SEEDS = {"simple_rnn_from_weights": 5}
