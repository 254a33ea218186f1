"""Shape checks shared by the reference modules (messages a learner can read)."""

from __future__ import annotations

import numpy as np


def as_array(name: str, value, rank: int, layout: str) -> np.ndarray:
    """``np.asarray(value)``, raising a ValueError naming ``layout`` if the rank is wrong."""
    array = np.asarray(value)
    if array.ndim != rank:
        raise ValueError(f"{name} should have shape {layout}, got shape {array.shape}")
    return array


def check_weights(kernel, recurrent_kernel, bias, gates: int, bias_shape_of) -> tuple[int, int]:
    """Check Keras-layout weights for a cell with ``gates`` gates; return (input_dim, units).

    ``bias_shape_of(units)`` gives the expected bias shape (it differs between
    the LSTM and the GRU with ``reset_after=True``).
    """
    kernel = np.asarray(kernel)
    recurrent_kernel = np.asarray(recurrent_kernel)
    bias = np.asarray(bias)
    if kernel.ndim != 2 or kernel.shape[1] % gates:
        raise ValueError(
            f"kernel should have shape (input_dim, {gates}*units), got shape {kernel.shape}"
        )
    input_dim, units = kernel.shape[0], kernel.shape[1] // gates
    if recurrent_kernel.shape != (units, gates * units):
        raise ValueError(
            f"recurrent_kernel should have shape ({units}, {gates * units}) to go with "
            f"kernel {kernel.shape}, got shape {recurrent_kernel.shape}"
        )
    if bias.shape != bias_shape_of(units):
        raise ValueError(
            f"bias should have shape {bias_shape_of(units)}, got shape {bias.shape}"
        )
    return input_dim, units


def check_step_inputs(x_t, states: dict, input_dim: int, units: int) -> None:
    """Check a step's input (batch, input_dim) and states (batch, units)."""
    if x_t.ndim != 2 or x_t.shape[1] != input_dim:
        raise ValueError(f"x_t should have shape (batch, {input_dim}), got shape {x_t.shape}")
    for name, state in states.items():
        if state.shape != (x_t.shape[0], units):
            raise ValueError(
                f"{name} should have shape ({x_t.shape[0]}, {units}), got shape {state.shape}"
            )


def upstream_gradient(dh_all, h_all: np.ndarray) -> np.ndarray:
    """``dh_all`` as an array, checked to have the shape of the hidden states ``h_all``."""
    dh_all = np.asarray(dh_all)
    if dh_all.shape != h_all.shape:
        raise ValueError(
            f"dh_all should have the shape of h_all {h_all.shape}, got shape {dh_all.shape}"
        )
    return dh_all


def sigmoid(z):
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, without overflow warnings."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def check_sequence_inputs(x, states: dict, input_dim: int, units: int) -> None:
    """Check a batch of sequences (batch, time, input_dim) and initial states (batch, units)."""
    if x.ndim != 3 or x.shape[2] != input_dim:
        raise ValueError(
            f"x should have shape (batch, time, {input_dim}), got shape {x.shape}"
        )
    for name, state in states.items():
        if state.shape != (x.shape[0], units):
            raise ValueError(
                f"{name} should have shape ({x.shape[0]}, {units}), got shape {state.shape}"
            )
