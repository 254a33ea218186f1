"""Answers that the harness's own tests send through a real child process.

Not a lesson's corpus (the harness reads only ``lessonNN.py``): the child
imports these as its exercise cells in ``tests/test_learner_corpus.py``.
"""

from __future__ import annotations

import numpy as np


def step_right(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def step_in_place(x_t, h_prev, W_xh, W_hh, b_h):
    h_prev[...] = np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)
    return h_prev


def step_no_bias(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh)


def count_right(input_dim, units):
    return units * (input_dim + units + 1)


def count_raises(input_dim, units):
    table = {}
    return table[input_dim]
