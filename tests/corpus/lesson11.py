"""Learner answers for lesson 11's exercises: right ones written differently, and wrong ones.

Read by ``tests/test_learner_corpus.py`` (see ``tests/corpus/__init__.py``): every right
answer must pass, every wrong one must fail with the message substring given, on every draw
and both in the check cell and in the grader.
"""

from __future__ import annotations

import numpy as np

from rnncourse.environment import import_keras_quietly
from rnncourse.reference.linear_attention import elu_plus_one

keras = import_keras_quietly()

# --------------------------------------------------------------- combine


def combine_plain(first, second):
    a1, b1 = first
    a2, b2 = second
    return a1 * a2, a2 * b1 + b2


def combine_float32(first, second):
    a1, b1 = (np.asarray(t, np.float32) for t in first)
    a2, b2 = (np.asarray(t, np.float32) for t in second)
    return [np.multiply(a1, a2), np.add(np.multiply(a2, b1), b2)]


def combine_keras(first, second):
    ops = keras.ops
    a = ops.multiply(first[0], second[0])
    b = ops.add(ops.multiply(second[0], first[1]), second[1])
    return ops.convert_to_numpy(a), ops.convert_to_numpy(b)


def combine_reuses_inputs(first, second):
    (a1, b1), (a2, b2) = first, second
    b = np.multiply(a2, b1)  # a new array, then updated in place: the inputs stay as they are
    b += b2
    return np.multiply(a1, a2), b


def combine_in_place(first, second):
    a, b = first  # modifies the inputs, which the scan still needs
    b *= second[0]
    b += second[1]
    a *= second[0]
    return a, b


def combine_swapped_order(first, second):
    a1, b1 = first
    a2, b2 = second
    return a1 * a2, a1 * b2 + b1


def combine_wrong_factor(first, second):
    a1, b1 = first
    a2, b2 = second
    return a1 * a2, a1 * b1 + b2


def combine_plain_sum(first, second):
    return first[0] * second[0], first[1] + second[1]


def combine_sum_of_a(first, second):
    return first[0] + second[0], second[0] * first[1] + second[1]


def combine_pair_swapped(first, second):
    a1, b1 = first
    a2, b2 = second
    return a2 * b1 + b2, a1 * a2


def combine_only_b(first, second):
    return second[0] * first[1] + second[1]


def combine_dict(first, second):
    return {"a": first[0] * second[0]}


def combine_one_item(first, second):
    return (first[0] * second[0],)


# --------------------------------------------------------------- linear_recurrence_loop


def loop_plain(a, b, h0):
    h = h0
    states = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def loop_preallocated_float32(a, b, h0):
    out = np.empty(a.shape, dtype=np.float32)
    h = h0.astype(np.float32)
    for t in range(a.shape[1]):
        h = a[:, t].astype(np.float32) * h + b[:, t].astype(np.float32)
        out[:, t] = h
    return out


def loop_keras_scan(a, b, h0):
    ops = keras.ops

    def step(h, pair):
        h = pair[0] * h + pair[1]
        return h, h

    pairs = ops.transpose(ops.stack([a, b]), (2, 0, 1, 3))  # (time, 2, batch, features)
    _, states = ops.scan(step, ops.convert_to_tensor(h0), pairs)
    return ops.convert_to_numpy(ops.transpose(states, (1, 0, 2)))


def loop_time_major(a, b, h0):
    states = [h0]
    for a_t, b_t in zip(np.moveaxis(a, 1, 0), np.moveaxis(b, 1, 0)):
        states.append(a_t * states[-1] + b_t)
    return np.stack(states[1:], axis=1)


def loop_last_only(a, b, h0):
    return loop_plain(a, b, h0)[:, -1]


def loop_with_h0(a, b, h0):
    return np.concatenate([h0[:, None], loop_plain(a, b, h0)], axis=1)


def loop_one_late(a, b, h0):
    h, states = h0, []
    for t in range(a.shape[1]):
        states.append(h)
        h = a[:, t] * h + b[:, t]
    return np.stack(states, axis=1)


def loop_stops_early(a, b, h0):
    h, states = h0, []
    for t in range(a.shape[1] - 1):
        h = a[:, t] * h + b[:, t]
        states.append(h)
    states.append(h)  # the last row repeats h_{T-1}
    return np.stack(states, axis=1)


def loop_zero_start(a, b, h0):
    return loop_plain(a, b, np.zeros_like(h0))


def loop_aliased(a, b, h0):
    h = h0.copy()
    states = []
    for t in range(a.shape[1]):
        h *= a[:, t]
        h += b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def loop_swapped(a, b, h0):
    return loop_plain(b, a, h0)


def loop_add_inside(a, b, h0):
    h, states = h0, []
    for t in range(a.shape[1]):
        h = a[:, t] * (h + b[:, t])
        states.append(h)
    return np.stack(states, axis=1)


def loop_modifies_h0(a, b, h0):
    h = h0
    states = []
    for t in range(a.shape[1]):
        h *= a[:, t]
        h += b[:, t]
        states.append(h.copy())
    return np.stack(states, axis=1)


# --------------------------------------------------------------- min_gru_parallel


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def min_gru_plain(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    return scan(1 - z, z * pre[..., units:], h0)


def min_gru_keras(x, kernel, bias, h0, scan):
    ops = keras.ops
    pre = ops.matmul(ops.convert_to_tensor(x, "float32"), ops.convert_to_tensor(kernel, "float32"))
    z_pre, h_tilde = ops.split(pre + ops.convert_to_tensor(bias, "float32"), 2, axis=-1)
    z = ops.sigmoid(z_pre)
    return scan(ops.convert_to_numpy(1 - z), ops.convert_to_numpy(z * h_tilde), h0)


def min_gru_einsum(x, kernel, bias, h0, scan):
    W_z, W_h = np.split(kernel, 2, axis=1)
    b_z, b_h = np.split(bias, 2)
    z = 0.5 * (1 + np.tanh(0.5 * (np.einsum("bti,iu->btu", x, W_z) + b_z)))
    h_tilde = np.einsum("bti,iu->btu", x, W_h) + b_h
    states = scan(a=1.0 - z, b=z * h_tilde, h0=h0)
    return np.asarray(states, dtype=np.float32)


def min_gru_keras_gates(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    return scan(z, (1 - z) * pre[..., units:], h0)


def min_gru_tanh(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    return scan(1 - z, z * np.tanh(pre[..., units:]), h0)


def min_gru_swapped_halves(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., units:])
    return scan(1 - z, z * pre[..., :units], h0)


def min_gru_no_bias(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel
    z = _sigmoid(pre[..., :units])
    return scan(1 - z, z * pre[..., units:], h0)


def min_gru_no_sigmoid(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = pre[..., :units]
    return scan(1 - z, z * pre[..., units:], h0)


def min_gru_b_without_z(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    return scan(1 - z, pre[..., units:], h0)


def min_gru_no_h0(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    return scan(1 - z, z * pre[..., units:])


def min_gru_last_only(x, kernel, bias, h0, scan):
    return min_gru_plain(x, kernel, bias, h0, scan)[:, -1]


def min_gru_loop_instead(x, kernel, bias, h0, scan):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    a, b = 1 - z, z * pre[..., units:]
    h, states = h0, []
    for t in range(x.shape[1]):
        h = a[:, t] * h + b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def min_gru_scan_discarded(x, kernel, bias, h0, scan):
    scan(*_min_gru_ab(x, kernel, bias), h0)  # called, but the states come from a loop
    return min_gru_loop_instead(x, kernel, bias, h0, scan)


def min_gru_scan_per_step(x, kernel, bias, h0, scan):
    a, b = _min_gru_ab(x, kernel, bias)
    h, states = h0, []
    for t in range(x.shape[1]):
        h = scan(a[:, t:t + 1], b[:, t:t + 1], h)[:, 0]
        states.append(h)
    return np.stack(states, axis=1)


def min_gru_scan_of_half(x, kernel, bias, h0, scan):
    a, b = _min_gru_ab(x, kernel, bias)
    half = x.shape[1] // 2
    first = scan(a[:, :half], b[:, :half], h0)
    return np.concatenate([first, _loop_from(a[:, half:], b[:, half:], first[:, -1])], axis=1)


def _min_gru_ab(x, kernel, bias):
    units = kernel.shape[1] // 2
    pre = x @ kernel + bias
    z = _sigmoid(pre[..., :units])
    return 1 - z, z * pre[..., units:]


def _loop_from(a, b, h):
    states = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


# --------------------------------------------------------------- linear_attention_recurrent


def la_plain(q, k, v):
    phi_q, phi_k = elu_plus_one(q), elu_plus_one(k)
    S = np.zeros((q.shape[0], q.shape[2], v.shape[2]))
    z = np.zeros((q.shape[0], q.shape[2]))
    outputs = []
    for t in range(q.shape[1]):
        S = S + np.einsum("bk,bv->bkv", phi_k[:, t], v[:, t])
        z = z + phi_k[:, t]
        outputs.append(np.einsum("bk,bkv->bv", phi_q[:, t], S)
                       / np.einsum("bk,bk->b", phi_q[:, t], z)[:, None])
    return np.stack(outputs, axis=1), S, z


def la_keras_float32(q, k, v):
    ops = keras.ops
    q, k, v = (ops.convert_to_tensor(t, "float32") for t in (q, k, v))
    phi_q, phi_k = ops.elu(q) + 1, ops.elu(k) + 1
    S = ops.zeros((q.shape[0], q.shape[2], v.shape[2]))
    z = ops.zeros((q.shape[0], q.shape[2]))
    outputs = []
    for t in range(q.shape[1]):
        S = S + ops.expand_dims(phi_k[:, t], 2) * ops.expand_dims(v[:, t], 1)
        z = z + phi_k[:, t]
        num = ops.squeeze(ops.matmul(ops.expand_dims(phi_q[:, t], 1), S), 1)
        den = ops.sum(phi_q[:, t] * z, axis=-1, keepdims=True)
        outputs.append(num / den)
    return ops.stack(outputs, axis=1), S, z


def la_loop_per_row(q, k, v):
    batch, steps, d_k = q.shape
    outputs = np.zeros((batch, steps, v.shape[2]), dtype=np.float32)
    S_all, z_all = [], []
    for i in range(batch):
        S = np.zeros((d_k, v.shape[2]))
        z = np.zeros(d_k)
        for t in range(steps):
            phi_k = np.where(k[i, t] > 0, k[i, t] + 1, np.exp(np.minimum(k[i, t], 0)))
            phi_q = np.where(q[i, t] > 0, q[i, t] + 1, np.exp(np.minimum(q[i, t], 0)))
            S += np.outer(phi_k, v[i, t])
            z += phi_k
            outputs[i, t] = phi_q @ S / (phi_q @ z)
        S_all.append(S)
        z_all.append(z)
    return outputs, np.array(S_all), np.array(z_all)


def _la_wrong(**options):
    from rnncourse.checks.lesson11 import _linear_attention

    def answer(q, k, v):
        return _linear_attention(q, k, v, **options)

    return answer


def la_only_outputs(q, k, v):
    return la_plain(q, k, v)[0]


def la_wrong_order(q, k, v):
    outputs, S, z = la_plain(q, k, v)
    return S, z, outputs


def la_output_before_update_guarded(q, k, v):
    phi_q, phi_k = np.where(q > 0, q + 1, np.exp(q)), np.where(k > 0, k + 1, np.exp(k))
    S = np.zeros((q.shape[0], q.shape[2], v.shape[2]))
    z = np.zeros((q.shape[0], q.shape[2]))
    outputs = []
    for t in range(q.shape[1]):
        den = np.einsum("bk,bk->b", phi_q[:, t], z)[:, None]
        outputs.append(np.einsum("bk,bkv->bv", phi_q[:, t], S) / np.where(den == 0, 1, den))
        S = S + phi_k[:, t, :, None] * v[:, t, None, :]
        z = z + phi_k[:, t]
    return np.stack(outputs, axis=1), S, z


def la_output_before_update_eps(q, k, v):
    phi_q, phi_k = np.where(q > 0, q + 1, np.exp(q)), np.where(k > 0, k + 1, np.exp(k))
    S = np.zeros((q.shape[0], q.shape[2], v.shape[2]))
    z = np.zeros((q.shape[0], q.shape[2]))
    outputs = []
    for t in range(q.shape[1]):
        den = np.einsum("bk,bk->b", phi_q[:, t], z)[:, None]
        outputs.append(np.einsum("bk,bkv->bv", phi_q[:, t], S) / (den + 1e-6))
        S = S + phi_k[:, t, :, None] * v[:, t, None, :]
        z = z + phi_k[:, t]
    return np.stack(outputs, axis=1), S, z


def la_scaled_queries(q, k, v):
    return la_plain(q / np.sqrt(q.shape[-1]), k, v)


def la_transposed_state(q, k, v):
    outputs, S, z = la_plain(q, k, v)
    return outputs, np.swapaxes(S, 1, 2), z


def la_z_without_phi(q, k, v):
    outputs, S, _ = la_plain(q, k, v)
    return outputs, S, k.sum(axis=1)


def la_softmax(q, k, v):
    scores = q @ np.swapaxes(k, 1, 2) / np.sqrt(q.shape[-1])
    scores = np.where(np.tril(np.ones(scores.shape[1:], bool)), scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    outputs = weights / weights.sum(axis=-1, keepdims=True) @ v
    _, S, z = la_plain(q, k, v)
    return outputs, S, z


def la_modifies_q(q, k, v):
    q[:] = elu_plus_one(q)
    return la_plain(np.log(q), k, v)


la_no_normaliser = _la_wrong(normalise=False)
la_no_feature_map = _la_wrong(phi=lambda a: a)
la_relu = _la_wrong(phi=lambda a: np.maximum(a, 0.0))
la_exclusive = _la_wrong(exclusive=True)
la_not_causal = _la_wrong(causal=False)
la_raw_key_in_state = _la_wrong(phi_in_state=False)


RIGHT = {
    "combine": [combine_plain, combine_float32, combine_keras, combine_reuses_inputs],
    "linear_recurrence_loop": [loop_plain, loop_preallocated_float32, loop_keras_scan,
                               loop_time_major],
    "min_gru_parallel": [min_gru_plain, min_gru_keras, min_gru_einsum],
    "linear_attention_recurrent": [la_plain, la_keras_float32, la_loop_per_row],
}

WRONG = {
    "combine": [
        (combine_swapped_order, "wrong order: `first` is applied first"),
        (combine_wrong_factor, "wrong factor"),
        (combine_plain_sum, "not b1 + b2"),
        (combine_sum_of_a, "not their sum"),
        (combine_pair_swapped, "the pair is in the wrong order"),
        (combine_only_b, "you returned only b"),
        (combine_dict, "return the pair `(a, b)`"),
        (combine_in_place, "modified `first` in place"),
        (combine_one_item, "a tuple of 1 item"),
    ],
    "linear_recurrence_loop": [
        (loop_last_only, "only the last state"),
        (loop_with_h0, "start with h0"),
        (loop_one_late, "one step late"),
        (loop_stops_early, "stops one step early"),
        (loop_zero_start, "h0 was ignored"),
        (loop_aliased, "every row holds the last state"),
        (loop_swapped, "a and b are swapped"),
        (loop_add_inside, "added after the multiplication"),
        (loop_modifies_h0, "modified `h0` in place"),
    ],
    "min_gru_parallel": [
        (min_gru_keras_gates, "Keras's GRU convention"),
        (min_gru_tanh, "no tanh"),
        (min_gru_swapped_halves, "swapped"),
        (min_gru_no_bias, "bias seems missing"),
        (min_gru_no_sigmoid, "sigmoid of the first half"),
        (min_gru_b_without_z, "in proportion to z"),
        (min_gru_no_h0, "h0 was ignored"),
        (min_gru_last_only, "only the last state"),
        (min_gru_loop_instead, "never called"),
        (min_gru_scan_discarded, "not the array that scan returned"),
        (min_gru_scan_per_step, "you called scan"),
        (min_gru_scan_of_half, "pass the whole sequence"),
    ],
    "linear_attention_recurrent": [
        (la_no_normaliser, "not normalised"),
        (la_no_feature_map, "no feature map"),
        (la_relu, "not relu"),
        (la_exclusive, "its own key and value"),
        (la_not_causal, "not causal"),
        (la_raw_key_in_state, "feature map to the key in S"),
        (la_softmax, "causal softmax attention"),
        (la_only_outputs, "return the final state too"),
        (la_transposed_state, "S looks transposed"),
        (la_wrong_order, "in the wrong order: return `outputs, S, z`"),
        (la_scaled_queries, "no 1/sqrt(d_k) scaling"),
        (la_output_before_update_guarded, "its own key and value"),
        (la_output_before_update_eps, "its own key and value"),
        (la_z_without_phi, "not of k_t"),
        (la_modifies_q, "modified `q` in place"),
    ],
}
