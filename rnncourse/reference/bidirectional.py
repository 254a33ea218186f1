"""Bidirectional RNNs in NumPy: two directions, merged as ``keras.layers.Bidirectional`` does."""

from __future__ import annotations

import numpy as np

from rnncourse.reference.simple_rnn import rnn_forward

MERGE_MODES = ("concat", "sum", "mul", "ave")


def merge_directions(forward, backward, merge_mode):
    """Merge two (batch, time, units) state sequences as keras.layers.Bidirectional does."""
    if merge_mode == "concat":
        return np.concatenate([forward, backward], axis=-1)
    if merge_mode == "sum":
        return forward + backward
    if merge_mode == "mul":
        return forward * backward
    if merge_mode == "ave":
        return (forward + backward) / 2
    raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")


def bidirectional_rnn_forward(x, forward_weights, backward_weights, merge_mode="concat"):
    """A bidirectional vanilla RNN from zero initial states.

    The backward direction reads ``x`` reversed in time; its states are
    flipped back so that position t of both directions refers to input t.
    """
    zeros = np.zeros((x.shape[0], forward_weights[1].shape[0]))
    forward = rnn_forward(x, zeros, *forward_weights)
    backward = rnn_forward(x[:, ::-1], zeros, *backward_weights)[:, ::-1]
    return merge_directions(forward, backward, merge_mode)


def reverse_padded(x, lengths):
    """Reverse each sequence's first ``lengths[b]`` steps, padding stays put."""
    x = np.asarray(x)
    out = x.copy()
    for b, length in enumerate(np.asarray(lengths).tolist()):
        out[b, :length] = x[b, :length][::-1]
    return out
