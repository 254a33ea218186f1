"""Keras layers: from-scratch cells and attention, and helpers to move weights into Keras.

The cells and attention layers are registered for serialisation under the
package name ``"rnncourse"``; importing this package is enough for
``keras.models.load_model`` to find them.
"""

from rnncourse.layers.attention import BahdanauAttention, LuongAttention
from rnncourse.layers.cells import ScratchGRUCell, ScratchLSTMCell, ScratchSimpleRNNCell
from rnncourse.layers.weights import gru_from_weights, lstm_from_weights, simple_rnn_from_weights

__all__ = [
    "BahdanauAttention",
    "LuongAttention",
    "ScratchGRUCell",
    "ScratchLSTMCell",
    "ScratchSimpleRNNCell",
    "gru_from_weights",
    "lstm_from_weights",
    "simple_rnn_from_weights",
]
