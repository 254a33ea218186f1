"""Learner answers for lesson 05's exercises: right ones written differently, and wrong ones.

Read by ``tests/test_learner_corpus.py`` (see ``tests/corpus/__init__.py``): every right
answer must pass, every wrong one must fail with the message substring given, on every draw
and both in the check cell and in the grader.
"""

from __future__ import annotations

import numpy as np

from rnncourse import reference
from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()

# --------------------------------------------------------------- bidirectional_rnn_forward


def _merge(forward, backward, merge_mode):
    if merge_mode == "concat":
        return np.concatenate([forward, backward], axis=-1)
    if merge_mode == "sum":
        return forward + backward
    if merge_mode == "mul":
        return forward * backward
    return (forward + backward) / 2


def bi_reference(x, forward_weights, backward_weights, merge_mode="concat"):
    zeros = np.zeros((x.shape[0], forward_weights[1].shape[0]))
    forward = reference.rnn_forward(x, zeros, *forward_weights)
    backward = reference.rnn_forward(x[:, ::-1], zeros, *backward_weights)[:, ::-1]
    return _merge(forward, backward, merge_mode)


def _run32(x, weights):
    W_xh, W_hh, b_h = (w.astype(np.float32) for w in weights)
    h = np.zeros((x.shape[0], W_hh.shape[0]), dtype=np.float32)
    states = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t].astype(np.float32) @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def bi_float32_loop(x, forward_weights, backward_weights, merge_mode="concat"):
    forward = _run32(x, forward_weights)
    backward = np.flip(_run32(np.flip(x, axis=1), backward_weights), axis=1)
    return _merge(forward, backward, merge_mode)


def bi_keras_ops(x, forward_weights, backward_weights, merge_mode="concat"):
    ops = keras.ops

    def run(sequence, weights):
        W_xh, W_hh, b_h = weights
        h = ops.zeros((sequence.shape[0], W_hh.shape[0]), dtype="float64")
        states = []
        for t in range(sequence.shape[1]):
            h = ops.tanh(ops.matmul(sequence[:, t], W_xh) + ops.matmul(h, W_hh) + b_h)
            states.append(h)
        return ops.stack(states, axis=1)

    forward = run(x, forward_weights)
    backward = ops.flip(run(ops.flip(x, axis=1), backward_weights), axis=1)
    merged = {
        "concat": lambda: ops.concatenate([forward, backward], axis=-1),
        "sum": lambda: forward + backward,
        "mul": lambda: forward * backward,
        "ave": lambda: (forward + backward) / 2,
    }[merge_mode]()
    return ops.convert_to_numpy(merged)


def _bi_wrong(
    x, fw, bw, mode, *, reverse=True, flip=True, same=False, order="fb", axis=-1, force=None
):
    zeros = np.zeros((x.shape[0], fw[1].shape[0]))
    forward = reference.rnn_forward(x, zeros, *fw)
    backward = reference.rnn_forward(x[:, ::-1] if reverse else x, zeros, *(fw if same else bw))
    if flip:
        backward = backward[:, ::-1]
    mode = force or mode
    if mode == "concat":
        return np.concatenate([forward, backward] if order == "fb" else [backward, forward], axis)
    return _merge(forward, backward, mode)


def bi_not_flipped_back(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, flip=False)


def bi_input_not_reversed(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, reverse=False, flip=False)


def bi_only_output_flipped(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, reverse=False)


def bi_same_weights(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, same=True)


def bi_swapped_weights(x, fw, bw, merge_mode="concat"):
    return bi_reference(x, bw, fw, merge_mode)


def bi_halves_swapped(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, order="bf")


def bi_time_axis(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, axis=1)


def bi_always_sum(x, fw, bw, merge_mode="concat"):
    return _bi_wrong(x, fw, bw, merge_mode, force="sum")


def bi_forward_only(x, fw, bw, merge_mode="concat"):
    zeros = np.zeros((x.shape[0], fw[1].shape[0]))
    return reference.rnn_forward(x, zeros, *fw)


# --------------------------------------------------------------------------- reverse_padded


def reverse_loop(x, lengths):
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


def reverse_index(x, lengths):
    steps = np.arange(x.shape[1])[None, :]
    lengths = np.asarray(lengths)[:, None]
    source = np.where(steps < lengths, lengths - 1 - steps, steps)  # where each step comes from
    return np.take_along_axis(x, source[:, :, None], axis=1)


def reverse_float32_flip(x, lengths):
    out = np.array(x, dtype=np.float32)
    for b in range(x.shape[0]):
        n = int(lengths[b])
        out[b, :n] = np.flip(x[b, :n], axis=0)
    return out


def reverse_padding_too(x, lengths):
    return x[:, ::-1]


def reverse_nothing(x, lengths):
    return x.copy()


def _shifted(x, lengths, delta):
    out = x.copy()
    for b, n in enumerate(lengths):
        n = min(max(int(n) + delta, 0), x.shape[1])
        out[b, :n] = x[b, :n][::-1]
    return out


def reverse_one_too_few(x, lengths):
    return _shifted(x, lengths, -1)


def reverse_one_too_many(x, lengths):
    return _shifted(x, lengths, +1)


def reverse_batch_axis(x, lengths):
    return x[::-1]


def reverse_feature_axis(x, lengths):
    return x[..., ::-1]


def reverse_in_place(x, lengths):
    for b, n in enumerate(lengths):
        x[b, :n] = x[b, :n][::-1].copy()  # right values, but x itself is changed
    return x


def reverse_negative_slice(x, lengths):
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, n - 1 :: -1]  # with n = 0 this slice is the whole row
    return out


# --------------------------------------------------------------------------- residual_rnn_stack


def stack_gru(inputs, units, depth):
    h = inputs
    for _ in range(depth):
        h = keras.layers.Add()([h, keras.layers.GRU(units, return_sequences=True)(h)])
    return h


def stack_lstm_plus(inputs, units, depth):
    h = inputs
    for _ in range(depth):
        h = h + keras.layers.LSTM(units, return_sequences=True)(h)  # Keras tensors add too
    return h


def stack_simple_rnn_list(inputs, units, depth):
    rnns = [keras.layers.SimpleRNN(units, return_sequences=True) for _ in range(depth)]
    h = inputs
    for rnn in rnns:
        h = keras.layers.Add()([rnn(h), h])
    return h


def _stack_wrong(inputs, units, depth, *, skip="all", layers=None, **options):
    h = inputs
    n = depth if layers is None else layers
    for k in range(n):
        out = keras.layers.GRU(units, return_sequences=True, **options)(h)
        use = skip == "all" or (skip == "last" and k == n - 1) or (skip == "not last" and k < n - 1)
        h = keras.layers.Add()([h, out]) if use else out
    return h


def stack_no_residual(inputs, units, depth):
    return _stack_wrong(inputs, units, depth, skip="none")


def stack_last_without_skip(inputs, units, depth):
    return _stack_wrong(inputs, units, depth, skip="not last")


def stack_only_last_skip(inputs, units, depth):
    return _stack_wrong(inputs, units, depth, skip="last")


def stack_one_short(inputs, units, depth):
    return _stack_wrong(inputs, units, depth, layers=depth - 1)


def stack_skip_from_input(inputs, units, depth):
    h = inputs
    for _ in range(depth):
        h = keras.layers.Add()([inputs, keras.layers.GRU(units, return_sequences=True)(h)])
    return h


def stack_last_returns_vector(inputs, units, depth):
    h = inputs
    for k in range(depth):
        last = k == depth - 1
        out = keras.layers.GRU(units, return_sequences=not last)(h)
        h = out if last else keras.layers.Add()([h, out])
    return h


def stack_reused_layer(inputs, units, depth):
    rnn = keras.layers.GRU(units, return_sequences=True)
    h = inputs
    for _ in range(depth):
        h = keras.layers.Add()([h, rnn(h)])
    return h


def stack_recurrent_dropout(inputs, units, depth):
    return _stack_wrong(inputs, units, depth, recurrent_dropout=0.2)


def stack_dropout_layer(inputs, units, depth):
    h = inputs
    for _ in range(depth):
        out = keras.layers.GRU(units, return_sequences=True)(h)
        h = keras.layers.Dropout(0.1)(keras.layers.Add()([h, out]))
    return h


def stack_layer_norm(inputs, units, depth):
    h = inputs
    for _ in range(depth):
        out = keras.layers.GRU(units, return_sequences=True)(h)
        h = keras.layers.LayerNormalization()(keras.layers.Add()([h, out]))
    return h


def stack_bidirectional(inputs, units, depth):
    h = inputs
    for _ in range(depth):
        rnn = keras.layers.GRU(units, return_sequences=True)
        h = keras.layers.Add()([h, keras.layers.Bidirectional(rnn, merge_mode="sum")(h)])
    return h


# -------------------------------------------------------------- build_bidirectional_tagger


def tagger_gru(vocab_size, n_tags, units):
    return keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, 16),
            keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True)),
            keras.layers.Dense(n_tags, activation="softmax"),
        ]
    )


def tagger_lstm_functional(vocab_size, n_tags, units):
    words = keras.Input((None,), dtype="int32")
    h = keras.layers.Embedding(vocab_size, 24)(words)
    h = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True))(h)
    return keras.Model(words, keras.layers.Dense(n_tags, activation="softmax")(h))


def tagger_compiled_sum(vocab_size, n_tags, units):
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, 16),
            keras.layers.Bidirectional(
                keras.layers.GRU(units, return_sequences=True), merge_mode="sum"
            ),
            keras.layers.Dense(n_tags),
            keras.layers.Softmax(),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # compiled: allowed
    return model


def _tagger_wrong(vocab_size, n_tags, units, *, bidirectional=True, sequences=True, **dense):
    rnn = keras.layers.GRU(dense.pop("rnn_units", units), return_sequences=sequences)
    return keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, 16),
            keras.layers.Bidirectional(rnn) if bidirectional else rnn,
            keras.layers.Dense(dense.pop("tags", n_tags), activation=dense.pop("act", "softmax")),
        ]
    )


def tagger_unidirectional(vocab_size, n_tags, units):
    return _tagger_wrong(vocab_size, n_tags, units, bidirectional=False)


def tagger_one_per_sentence(vocab_size, n_tags, units):
    return _tagger_wrong(vocab_size, n_tags, units, sequences=False)


def tagger_logits(vocab_size, n_tags, units):
    return _tagger_wrong(vocab_size, n_tags, units, act=None)


def tagger_too_few_tags(vocab_size, n_tags, units):
    return _tagger_wrong(vocab_size, n_tags, units, tags=3)


def tagger_fixed_units(vocab_size, n_tags, units):
    return _tagger_wrong(vocab_size, n_tags, units, rnn_units=16)


def tagger_a_layer(vocab_size, n_tags, units):
    return keras.layers.Dense(n_tags)


RIGHT = {
    "bidirectional_rnn_forward": [bi_reference, bi_float32_loop, bi_keras_ops],
    "reverse_padded": [reverse_loop, reverse_index, reverse_float32_flip],
    "residual_rnn_stack": [stack_gru, stack_lstm_plus, stack_simple_rnn_list],
    "build_bidirectional_tagger": [tagger_gru, tagger_lstm_functional, tagger_compiled_sum],
}

WRONG = {
    "bidirectional_rnn_forward": [
        (bi_not_flipped_back, "reversed time order"),
        (bi_input_not_reversed, "did not read the sequence reversed"),
        (bi_only_output_flipped, "only its output was flipped"),
        (bi_same_weights, "forward weights"),
        (bi_swapped_weights, "seem swapped"),
        (bi_halves_swapped, "wrong order"),
        (bi_time_axis, "time axis"),
        (bi_always_sum, "'sum' merge"),
        (bi_forward_only, "only the forward states"),
    ],
    "reverse_padded": [
        (reverse_padding_too, "reversed the padding too"),
        (reverse_nothing, "nothing was reversed"),
        (reverse_one_too_few, "one step too few"),
        (reverse_one_too_many, "one step too many"),
        (reverse_batch_axis, "batch axis"),
        (reverse_feature_axis, "feature axis"),
        (reverse_in_place, "modified `x` in place"),
        (reverse_negative_slice, "ValueError"),
    ],
    "residual_rnn_stack": [
        (stack_no_residual, "no residual connection"),
        (stack_last_without_skip, "last layer has no skip"),
        (stack_only_last_skip, "only the last layer"),
        (stack_one_short, "asks for"),
        (stack_skip_from_input, "original input"),
        (stack_last_returns_vector, "return_sequences=False"),
        (stack_reused_layer, "one recurrent layer object"),
        (stack_recurrent_dropout, "no dropout"),
        (stack_dropout_layer, "no dropout"),
        (stack_layer_norm, "normalisation"),
        (stack_bidirectional, "Bidirectional"),
    ],
    "build_bidirectional_tagger": [
        (tagger_unidirectional, "no Bidirectional layer"),
        (tagger_one_per_sentence, "one tag per sentence"),
        (tagger_logits, "not softmax over the tags"),
        (tagger_too_few_tags, "has 3 units"),
        (tagger_fixed_units, "`units` argument"),
        (tagger_a_layer, "return a keras.Model"),
    ],
}

SEEDS = {"residual_rnn_stack": 5, "build_bidirectional_tagger": 2}
