"""Learner answers for lesson 08 (attention): right ones written differently, typical wrong ones."""

import numpy as np

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()
ops = keras.ops


def _t(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- luong_general_scores


def general_matmul(query, keys, W):
    return (query @ W) @ np.swapaxes(keys, -1, -2)


def general_float32(query, keys, W):
    q, k, w = (a.astype(np.float32) for a in (query, keys, W))
    return np.matmul(np.matmul(q, w), np.transpose(k, (0, 2, 1)))


def general_einsum(query, keys, W):
    return np.einsum("bid,de,bje->bij", query, W, keys)


def general_in_place(query, keys, W):
    if W.shape[0] == W.shape[1]:
        np.matmul(query, W, out=query)  # overwrites its own copy of the queries
        projected = query
    else:
        projected = query @ W
    return projected @ np.swapaxes(keys, -1, -2)


def general_loop(query, keys, W):
    batch, Tq, _ = query.shape
    out = np.zeros((batch, Tq, keys.shape[1]))
    for b in range(batch):
        for i in range(Tq):
            for j in range(keys.shape[1]):
                out[b, i, j] = query[b, i] @ W @ keys[b, j]
    return out


def general_keras_ops(query, keys, W):
    return ops.convert_to_numpy(ops.matmul(ops.matmul(query, W), ops.transpose(keys, (0, 2, 1))))


def general_wrong_axes(query, keys, W):
    return keys @ W.T @ _t(query)


def general_transposed_W(query, keys, W):
    return query @ W.T @ _t(keys)


def general_no_W(query, keys, W):
    return query @ _t(keys)


def general_scaled(query, keys, W):
    return query @ W @ _t(keys) / np.sqrt(keys.shape[-1])


# ---------------------------------------------------------------- bahdanau_scores


def additive_broadcast(query, keys, W_q, W_k, v):
    return np.tanh((query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :]) @ v


def additive_float32(query, keys, W_q, W_k, v):
    q, k, wq, wk, vv = (a.astype(np.float32) for a in (query, keys, W_q, W_k, v))
    return np.tanh(np.expand_dims(q @ wq, 2) + np.expand_dims(k @ wk, 1)) @ vv


def additive_einsum(query, keys, W_q, W_k, v):
    pq = np.einsum("bid,du->biu", query, W_q)
    pk = np.einsum("bjd,du->bju", keys, W_k)
    return np.einsum("biju,u->bij", np.tanh(pq[:, :, None] + pk[:, None]), v)


def additive_in_place(query, keys, W_q, W_k, v):
    hidden = (query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :]
    np.tanh(hidden, out=hidden)
    hidden *= v
    return hidden.sum(-1)


def additive_loop(query, keys, W_q, W_k, v):
    out = np.zeros((query.shape[0], query.shape[1], keys.shape[1]))
    for b in range(query.shape[0]):
        for i in range(query.shape[1]):
            for j in range(keys.shape[1]):
                out[b, i, j] = v @ np.tanh(query[b, i] @ W_q + keys[b, j] @ W_k)
    return out


def additive_no_tanh(query, keys, W_q, W_k, v):
    return ((query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :]) @ v


def additive_tanh_after_v(query, keys, W_q, W_k, v):
    return np.tanh(((query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :]) @ v)


def additive_no_v(query, keys, W_q, W_k, v):
    return np.tanh((query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :]).sum(-1)


def additive_wrong_axes(query, keys, W_q, W_k, v):
    return np.tanh((query @ W_q)[:, None, :, :] + (keys @ W_k)[:, :, None, :]) @ v


def additive_swapped_weights(query, keys, W_q, W_k, v):
    return np.tanh((query @ W_k)[:, :, None, :] + (keys @ W_q)[:, None, :, :]) @ v


# ---------------------------------------------------------------- masked_attention


def masked_inf(scores, values, mask):
    s = np.where(mask[:, None, :], scores, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ values, w


def masked_float32(scores, values, mask):
    s = np.where(mask[:, None, :], scores, -np.inf).astype(np.float32)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ values.astype(np.float32), w


def masked_in_place(scores, values, mask):
    scores[~np.broadcast_to(mask[:, None, :], scores.shape)] = -1e9
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return np.einsum("bij,bjd->bid", scores, values), scores


def masked_keras_ops(scores, values, mask):
    s = ops.where(ops.expand_dims(mask, 1), scores, -1e9)
    w = ops.softmax(s, axis=-1)
    return ops.convert_to_numpy(ops.matmul(w, values)), ops.convert_to_numpy(w)


def masked_loop(scores, values, mask):
    weights = np.zeros_like(scores)
    for b in range(scores.shape[0]):
        allowed = np.flatnonzero(mask[b])
        for i in range(scores.shape[1]):
            row = scores[b, i, allowed]
            e = np.exp(row - row.max())
            weights[b, i, allowed] = e / e.sum()
    return weights @ values, weights


def masked_no_mask(scores, values, mask):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ values, w


def masked_after_softmax(scores, values, mask):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True) * mask[:, None, :]
    return w @ values, w


def masked_query_axis(scores, values, mask):
    s = np.where(mask[:, None, :], scores, -1e9)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    return w @ values, w


def masked_no_max(scores, values, mask):
    s = np.where(mask[:, None, :], scores, -np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(s)
        w = e / e.sum(axis=-1, keepdims=True)
    return w @ values, w


def masked_wrong_axis_mask(scores, values, mask):
    s = np.where(mask[:, :, None], scores, -1e9)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ values, w


def masked_context_transposed(scores, values, mask):
    context, w = masked_inf(scores, values, mask)
    return _t(w) @ values, w


def masked_swapped_pair(scores, values, mask):
    context, w = masked_inf(scores, values, mask)
    return w, context


def masked_context_only(scores, values, mask):
    return masked_inf(scores, values, mask)[0]


def masked_unweighted_context(scores, values, mask):
    _, w = masked_inf(scores, values, mask)
    return np.broadcast_to(
        values.sum(1, keepdims=True), (w.shape[0], w.shape[1], values.shape[2])
    ), w


# ---------------------------------------------------------------- DotAttention


class _Base(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None


class DotWhere(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs[0], inputs[1]
        value_mask = None if mask is None else mask[1]
        scores = ops.matmul(query, ops.transpose(value, (0, 2, 1)))
        if value_mask is not None:
            scores = ops.where(ops.expand_dims(ops.cast(value_mask, "bool"), 1), scores, -1e9)
        return ops.matmul(ops.softmax(scores, axis=-1), value)


class DotSubtract(_Base):
    """As Keras does it: subtract a large number from the masked scores."""

    def call(self, inputs, mask=None):
        query, value = inputs
        scores = ops.einsum("bqd,bvd->bqv", query, value)
        if mask is not None and mask[1] is not None:
            padding = 1.0 - ops.cast(ops.expand_dims(mask[1], -2), scores.dtype)
            scores = scores - 1e9 * padding
        return ops.einsum("bqv,bvd->bqd", ops.softmax(scores), value)


class DotManualSoftmax(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs
        scores = ops.matmul(query, ops.swapaxes(value, 1, 2))
        if mask is not None and mask[1] is not None:
            scores = ops.where(ops.expand_dims(mask[1], 1), scores, -np.inf)
        e = ops.exp(scores - ops.max(scores, axis=-1, keepdims=True))
        return ops.matmul(e / ops.sum(e, axis=-1, keepdims=True), value)


class DotQueryAxis(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs
        scores = ops.matmul(query, ops.transpose(value, (0, 2, 1)))
        if mask is not None and mask[1] is not None:
            scores = ops.where(ops.expand_dims(mask[1], 1), scores, -1e9)
        return ops.matmul(ops.softmax(scores, axis=1), value)


class DotScaled(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs
        scores = ops.matmul(query, ops.transpose(value, (0, 2, 1))) / np.sqrt(query.shape[-1])
        if mask is not None and mask[1] is not None:
            scores = ops.where(ops.expand_dims(mask[1], 1), scores, -1e9)
        return ops.matmul(ops.softmax(scores, axis=-1), value)


class DotNoMask(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs
        scores = ops.matmul(query, ops.transpose(value, (0, 2, 1)))
        return ops.matmul(ops.softmax(scores, axis=-1), value)


class DotMaskAfter(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs
        weights = ops.softmax(ops.matmul(query, ops.transpose(value, (0, 2, 1))), axis=-1)
        if mask is not None and mask[1] is not None:
            weights = weights * ops.expand_dims(ops.cast(mask[1], weights.dtype), 1)
        return ops.matmul(weights, value)


class DotNoSoftmax(_Base):
    def call(self, inputs, mask=None):
        query, value = inputs
        scores = ops.matmul(query, ops.transpose(value, (0, 2, 1)))
        if mask is not None and mask[1] is not None:
            scores = ops.where(ops.expand_dims(mask[1], 1), scores, 0.0)
        return ops.matmul(scores, value)


def not_a_layer():
    return "not a layer"


RIGHT = {
    "luong_general_scores": [
        general_matmul,
        general_float32,
        general_einsum,
        general_in_place,
        general_loop,
        general_keras_ops,
    ],
    "bahdanau_scores": [
        additive_broadcast,
        additive_float32,
        additive_einsum,
        additive_in_place,
        additive_loop,
    ],
    "masked_attention": [
        masked_inf,
        masked_float32,
        masked_in_place,
        masked_keras_ops,
        masked_loop,
    ],
    "DotAttention": [DotWhere, DotSubtract, DotManualSoftmax],
}

WRONG = {
    "luong_general_scores": [
        (general_wrong_axes, "(batch, Tv, Tq)"),
        (general_transposed_W, "W looks transposed"),
        (general_no_W, "W seems missing"),
        (general_scaled, "1/sqrt(d)"),
    ],
    "bahdanau_scores": [
        (additive_no_tanh, "tanh seems missing"),
        (additive_tanh_after_v, "tanh after multiplying by v"),
        (additive_no_v, "vector v seems missing"),
        (additive_wrong_axes, "(batch, Tv, Tq)"),
        (additive_swapped_weights, "look swapped"),
    ],
    "masked_attention": [
        (masked_no_mask, "mask is not applied"),
        (masked_after_softmax, "after the softmax"),
        (masked_query_axis, "query axis"),
        (masked_no_max, "Subtract each row's largest"),
        (masked_wrong_axis_mask, "wrong axis"),
        (masked_context_transposed, "transposed weights"),
        (masked_swapped_pair, "other way round"),
        (masked_context_only, "return a pair"),
        (masked_unweighted_context, "unweighted sum"),
    ],
    "DotAttention": [
        (DotQueryAxis, "query axis"),
        (DotScaled, "1/sqrt(d)"),
        (DotNoMask, "mask is not applied"),
        (DotMaskAfter, "after the softmax"),
        (DotNoSoftmax, "softmax seems missing"),
        (not_a_layer, "subclass of keras.layers.Layer"),
    ],
}

SEEDS = {"DotAttention": 5, "luong_general_scores": 20, "bahdanau_scores": 20}
