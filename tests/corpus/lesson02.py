"""Learner answers for lesson 02 (contract 3): right ones written differently, typical wrong ones.

Each function has the learner's signature. RIGHT answers must pass on every draw; each WRONG
answer must fail with a message that contains the given substring.
"""

from __future__ import annotations

import numpy as np

from rnncourse import reference

# --------------------------------------------------------------------------- bptt_backward


def _bptt(dh_all, x, h0, h_all, W_xh, W_hh, *, tanh_grad="right", h_prev="right", carry=True,
          keep="sum", transpose=False, dh0_late=False, dtype=np.float64):
    dh_all, x, h0, h_all = (np.asarray(a, dtype=dtype) for a in (dh_all, x, h0, h_all))
    W_xh, W_hh = np.asarray(W_xh, dtype=dtype), np.asarray(W_hh, dtype=dtype)
    batch, steps, units = h_all.shape
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(units, dtype=dtype)
    flowing = np.zeros((batch, units), dtype=dtype)
    dh = flowing
    for t in reversed(range(steps)):
        dh = dh_all[:, t] + (flowing if carry else 0)
        previous = h_all[:, t - 1] if t > 0 else h0
        used = {"right": previous, "current": h_all[:, t], "wrap": h_all[:, t - 1]}[h_prev]
        derivative = {"right": 1 - h_all[:, t] ** 2, "none": 1.0,
                      "previous": 1 - previous ** 2,
                      "tanh_again": 1 - np.tanh(h_all[:, t]) ** 2}[tanh_grad]
        da = dh * derivative
        if keep == "sum":
            dW_xh += x[:, t].T @ da
            dW_hh += used.T @ da
            db_h += da.sum(axis=0)
        elif keep == "assign" or t == steps - 1:
            dW_xh, dW_hh, db_h = x[:, t].T @ da, used.T @ da, da.sum(axis=0)
        flowing = da @ (W_hh if transpose else W_hh.T)
    return dW_xh, dW_hh, db_h, dh if dh0_late else flowing


def bptt_loop(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh)


def bptt_float32(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, dtype=np.float32)


def bptt_accumulates_into_dh_all(dh_all, x, h0, h_all, W_xh, W_hh):
    """Reuses its input: the total gradient at h_t is built in dh_all itself."""
    steps = h_all.shape[1]
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    for t in range(steps - 1, -1, -1):
        da = dh_all[:, t] * (1 - h_all[:, t] ** 2)
        h_prev = h0 if t == 0 else h_all[:, t - 1]
        dW_xh += x[:, t].T @ da
        dW_hh += h_prev.T @ da
        db_h += da.sum(axis=0)
        if t > 0:
            dh_all[:, t - 1] += da @ W_hh.T
        else:
            dh0 = da @ W_hh.T
    return dW_xh, dW_hh, db_h, dh0


def bptt_einsum_vectorised(dh_all, x, h0, h_all, W_xh, W_hh):
    """Only the recursion is a loop; the weight gradients are one einsum each."""
    steps = h_all.shape[1]
    da_all = np.zeros_like(h_all)
    flowing = np.zeros_like(h0)
    for t in reversed(range(steps)):
        da_all[:, t] = (dh_all[:, t] + flowing) * (1 - h_all[:, t] ** 2)
        flowing = da_all[:, t] @ W_hh.T
    h_prev = np.concatenate([h0[:, None], h_all[:, :-1]], axis=1)
    return (np.einsum("bti,btu->iu", x, da_all), np.einsum("bti,btu->iu", h_prev, da_all),
            np.einsum("btu->u", da_all), flowing)


def bptt_reference_dict(dh_all, x, h0, h_all, W_xh, W_hh):
    grads = reference.rnn_backward(dh_all, x, h0, h_all, W_xh, W_hh)
    return grads["W_xh"], grads["W_hh"], grads["b_h"], grads["h0"]


def bptt_keras_ops(dh_all, x, h0, h_all, W_xh, W_hh):
    """keras.ops in float32 (what a learner used to TensorFlow might write)."""
    import keras

    ops = keras.ops
    steps = h_all.shape[1]
    W_hh_t = ops.transpose(ops.convert_to_tensor(W_hh, dtype="float32"))
    dW_xh = ops.zeros(W_xh.shape)
    dW_hh = ops.zeros(W_hh.shape)
    db_h = ops.zeros((W_hh.shape[0],))
    flowing = ops.zeros(h0.shape)
    for t in reversed(range(steps)):
        h_t = ops.convert_to_tensor(h_all[:, t], dtype="float32")
        da = (ops.convert_to_tensor(dh_all[:, t], dtype="float32") + flowing) * (1 - h_t * h_t)
        h_prev = h0 if t == 0 else h_all[:, t - 1]
        dW_xh = dW_xh + ops.matmul(ops.transpose(ops.convert_to_tensor(x[:, t], "float32")), da)
        dW_hh = dW_hh + ops.matmul(ops.transpose(ops.convert_to_tensor(h_prev, "float32")), da)
        db_h = db_h + ops.sum(da, axis=0)
        flowing = ops.matmul(da, W_hh_t)
    return tuple(keras.ops.convert_to_numpy(a) for a in (dW_xh, dW_hh, db_h, flowing))


def bptt_no_tanh_derivative(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, tanh_grad="none")


def bptt_previous_derivative(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, tanh_grad="previous")


def bptt_tanh_again(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, tanh_grad="tanh_again")


def bptt_current_state(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, h_prev="current")


def bptt_wraps_at_zero(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, h_prev="wrap")


def bptt_no_carry(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, carry=False)


def bptt_assign(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, keep="assign")


def bptt_last_only(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, keep="last")


def bptt_transposed(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, transpose=True)


def bptt_dh0_late(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh, dh0_late=True)


def bptt_three_arrays(dh_all, x, h0, h_all, W_xh, W_hh):
    return _bptt(dh_all, x, h0, h_all, W_xh, W_hh)[:3]


def bptt_wrong_order(dh_all, x, h0, h_all, W_xh, W_hh):
    dW_xh, dW_hh, db_h, dh0 = _bptt(dh_all, x, h0, h_all, W_xh, W_hh)
    return dW_hh, dW_xh, db_h, dh0


# --------------------------------------------------------------------------- stream_to_windows


def windows_reshape(ids, batch_size, window):
    n_windows = (len(ids) - 1) // (batch_size * window)
    used = batch_size * n_windows * window
    shape = (batch_size, n_windows, window)
    return (ids[:used].reshape(shape).transpose(1, 0, 2),
            ids[1:used + 1].reshape(shape).transpose(1, 0, 2))


def windows_shifted_streams(ids, batch_size, window):
    """Inputs and targets as two streams first, then the same cuts for both."""
    inputs_stream, targets_stream = ids[:-1], ids[1:]
    n_windows = len(inputs_stream) // (batch_size * window)
    used = batch_size * n_windows * window

    def cut(stream):
        return np.swapaxes(stream[:used].reshape(batch_size, n_windows, window), 0, 1)

    return cut(inputs_stream), cut(targets_stream)


def windows_loops(ids, batch_size, window):
    n_windows = (len(ids) - 1) // (batch_size * window)
    column = n_windows * window
    inputs = np.zeros((n_windows, batch_size, window), dtype=np.int64)
    targets = np.zeros_like(inputs)
    for w in range(n_windows):
        for b in range(batch_size):
            start = b * column + w * window
            inputs[w, b] = ids[start:start + window]
            targets[w, b] = ids[start + 1:start + window + 1]
    return inputs, targets


def windows_float32(ids, batch_size, window):
    inputs, targets = windows_reshape(ids, batch_size, window)
    return inputs.astype(np.float32), targets.astype(np.float32)


def windows_without_minus_one(ids, batch_size, window):
    n_windows = len(ids) // (batch_size * window)
    used = batch_size * n_windows * window
    shape = (batch_size, n_windows, window)
    return (ids[:used].reshape(shape).transpose(1, 0, 2),
            ids[1:used + 1].reshape(shape).transpose(1, 0, 2))


def windows_without_minus_one_padded(ids, batch_size, window):
    """No "- 1", and a padded stream so that the reshape never fails."""
    n_windows = len(ids) // (batch_size * window)
    used = batch_size * n_windows * window
    padded = np.concatenate([ids, [0]])
    shape = (batch_size, n_windows, window)
    return (padded[:used].reshape(shape).transpose(1, 0, 2),
            padded[1:used + 1].reshape(shape).transpose(1, 0, 2))


def windows_not_shifted(ids, batch_size, window):
    inputs, _ = windows_reshape(ids, batch_size, window)
    return inputs, inputs


def windows_swapped(ids, batch_size, window):
    inputs, targets = windows_reshape(ids, batch_size, window)
    return targets, inputs


def windows_interleaved(ids, batch_size, window):
    n_windows = (len(ids) - 1) // (batch_size * window)
    used = batch_size * n_windows * window
    shape = (batch_size, n_windows, window)
    x = ids[:used].reshape(n_windows * window, batch_size).T.reshape(shape).transpose(1, 0, 2)
    y = ids[1:used + 1].reshape(n_windows * window, batch_size).T.reshape(shape).transpose(1, 0, 2)
    return x, y


def windows_dealt(ids, batch_size, window):
    n_windows = (len(ids) - 1) // (batch_size * window)
    used = batch_size * n_windows * window
    shape = (n_windows, batch_size, window)
    return ids[:used].reshape(shape), ids[1:used + 1].reshape(shape)


def windows_batch_major(ids, batch_size, window):
    inputs, targets = windows_reshape(ids, batch_size, window)
    return inputs.transpose(1, 0, 2), targets.transpose(1, 0, 2)


def windows_one_array(ids, batch_size, window):
    return windows_reshape(ids, batch_size, window)[0]


# --------------------------------------------------------------------------- truncated BPTT


def _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, *, start="right", keep="all"):
    steps = h_all.shape[1]
    starts = list(range(0, steps, window))
    if keep == "first":
        starts = starts[:1]
    elif keep == "last":
        starts = starts[-1:]
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    for s in starts:
        span = slice(s, s + window)
        if start == "wrap":
            h_start = h_all[:, s - 1]
        elif s == 0 or start == "h0":
            h_start = h0
        elif start == "zeros":
            h_start = np.zeros_like(h0)
        elif start == "late":
            h_start = h_all[:, s]
        else:
            h_start = h_all[:, s - 1]
        grads = reference.rnn_backward(dh_all[:, span], x[:, span], h_start, h_all[:, span],
                                       W_xh, W_hh)
        dW_xh, dW_hh, db_h = dW_xh + grads["W_xh"], dW_hh + grads["W_hh"], db_h + grads["b_h"]
    return dW_xh, dW_hh, db_h


def truncated_reference(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window)


def truncated_own_backward_float32(dh_all, x, h0, h_all, W_xh, W_hh, window):
    """Its own float32 backward pass per window, no reference call."""
    total = [np.zeros(W_xh.shape, np.float32), np.zeros(W_hh.shape, np.float32),
             np.zeros(W_hh.shape[0], np.float32)]
    steps = h_all.shape[1]
    for s in range(0, steps, window):
        stop = min(s + window, steps)
        parts = bptt_float32(dh_all[:, s:stop], x[:, s:stop], h0 if s == 0 else h_all[:, s - 1],
                             h_all[:, s:stop], W_xh, W_hh)
        total = [a + b for a, b in zip(total, parts[:3])]
    return tuple(total)


def truncated_reuses_inputs(dh_all, x, h0, h_all, W_xh, W_hh, window):
    """In place: accumulates into the first window's gradient arrays, and zeroes dh_all as it
    goes (allowed: the text does not forbid modifying the inputs)."""
    steps = h_all.shape[1]
    total = None
    for s in range(0, steps, window):
        span = slice(s, s + window)
        start = h0 if s == 0 else h_all[:, s - 1]
        grads = reference.rnn_backward(dh_all[:, span], x[:, span], start, h_all[:, span],
                                       W_xh, W_hh)
        dh_all[:, span] = 0.0
        if total is None:
            total = [grads["W_xh"], grads["W_hh"], grads["b_h"]]
        else:
            for acc, key in zip(total, ("W_xh", "W_hh", "b_h")):
                acc += grads[key]
    return tuple(total)


def truncated_full(dh_all, x, h0, h_all, W_xh, W_hh, window):
    grads = reference.rnn_backward(dh_all, x, h0, h_all, W_xh, W_hh)
    return grads["W_xh"], grads["W_hh"], grads["b_h"]


def truncated_from_h0(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, start="h0")


def truncated_from_zeros(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, start="zeros")


def truncated_wraps_at_zero(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, start="wrap")


def truncated_one_step_late(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, start="late")


def truncated_first_window(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, keep="first")


def truncated_last_window(dh_all, x, h0, h_all, W_xh, W_hh, window):
    return _truncated(dh_all, x, h0, h_all, W_xh, W_hh, window, keep="last")


RIGHT = {
    "bptt_backward": [bptt_loop, bptt_float32, bptt_accumulates_into_dh_all,
                      bptt_einsum_vectorised, bptt_reference_dict, bptt_keras_ops],
    "stream_to_windows": [windows_reshape, windows_shifted_streams, windows_loops,
                          windows_float32],
    "truncated_bptt_gradients": [truncated_reference, truncated_own_backward_float32,
                                 truncated_reuses_inputs],
}

WRONG = {
    "bptt_backward": [
        (bptt_no_tanh_derivative, "tanh derivative seems missing"),
        (bptt_previous_derivative, "the tanh derivative uses the wrong state"),
        (bptt_tanh_again, "you applied tanh to h_t"),
        (bptt_current_state, "uses h_t where it needs h_{t-1}"),
        (bptt_wraps_at_zero, "off by one at t = 0"),
        (bptt_no_carry, "not accumulated"),
        (bptt_assign, "only one step's copy"),
        (bptt_last_only, "only the last time step's copy"),
        (bptt_transposed, "transposed in the backward product"),
        (bptt_dh0_late, "dh0 is off by one step"),
        (bptt_three_arrays, "tuple of 4 arrays"),
        (bptt_wrong_order, "wrong order"),
    ],
    "stream_to_windows": [
        (windows_without_minus_one, 'Mind the "- 1"'),
        (windows_without_minus_one_padded, 'Mind the "- 1"'),
        (windows_not_shifted, "targets are not shifted"),
        (windows_swapped, "inputs and targets are swapped"),
        (windows_interleaved, "interleaved"),
        (windows_dealt, "do not continue each other"),
        (windows_batch_major, "(B, n_windows, window)"),
        (windows_one_array, "should return a pair"),
    ],
    "truncated_bptt_gradients": [
        (truncated_full, "full BPTT over the whole sequence"),
        (truncated_from_h0, "starts from h0"),
        (truncated_from_zeros, "starts from zeros"),
        (truncated_wraps_at_zero, "h_all[:, -1], the LAST state"),
        (truncated_one_step_late, "off by one"),
        (truncated_first_window, "only the first window"),
        (truncated_last_window, "only the last window"),
    ],
}
