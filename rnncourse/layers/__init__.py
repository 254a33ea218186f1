"""Keras layers: from-scratch cells and helpers to move weights into Keras."""

from rnncourse.layers.weights import simple_rnn_from_weights

__all__ = ["simple_rnn_from_weights"]
