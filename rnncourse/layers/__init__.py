"""Keras layers: from-scratch cells, attention, minGRU/minLSTM, and helpers to move weights.

The cells, attention layers and MinGRU/MinLSTM are registered for serialisation under the
package name ``"rnncourse"``; importing this package is enough for
``keras.models.load_model`` to find them.
"""

from rnncourse.layers.attention import BahdanauAttention, LuongAttention
from rnncourse.layers.cells import ScratchGRUCell, ScratchLSTMCell, ScratchSimpleRNNCell
from rnncourse.layers.min_rnn import (
    KERAS_SCAN_WORKS,
    MinGRU,
    MinLSTM,
    linear_recurrence,
    log_linear_recurrence,
    odd_even_scan,
)
from rnncourse.layers.weights import gru_from_weights, lstm_from_weights, simple_rnn_from_weights

__all__ = [
    "KERAS_SCAN_WORKS",
    "BahdanauAttention",
    "LuongAttention",
    "MinGRU",
    "MinLSTM",
    "ScratchGRUCell",
    "ScratchLSTMCell",
    "ScratchSimpleRNNCell",
    "gru_from_weights",
    "linear_recurrence",
    "log_linear_recurrence",
    "lstm_from_weights",
    "odd_even_scan",
    "simple_rnn_from_weights",
]
