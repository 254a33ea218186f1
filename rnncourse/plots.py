"""Plot helpers for the lessons (matplotlib).

Every function returns the matplotlib ``Figure`` and never calls
``plt.show()``; in a notebook end the cell with the call (or ``fig``) to see
it. Each draws into ``ax`` when one is given (to combine plots), else into a
new figure. Titles and axis labels are always set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_attention",
    "plot_gradient_norms",
    "plot_hidden_states",
    "plot_training_curves",
]


def _figure_and_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def _history_dict(history) -> Mapping[str, Sequence[float]]:
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping) or not data:
        raise ValueError(
            "history should be a keras History or a dict like {'loss': [...]}, "
            f"got {type(history).__name__}"
        )
    return data


def plot_training_curves(history, metrics: Sequence[str] | None = None, *,
                         title: str = "Training curves", ax=None, figsize=(6, 4)):
    """Plot a Keras ``History`` (or a dict of lists) against the epoch.

    ``metrics`` picks the keys (default: all; ``val_`` curves dashed in the
    colour of their training curve). Several histories? Pass a dict
    ``{"LSTM": history_a, "GRU": history_b}`` of histories with ``metrics``
    naming the keys to draw for each.
    """
    fig, ax = _figure_and_axes(ax, figsize)
    if isinstance(history, Mapping) and history and all(
        hasattr(h, "history") or isinstance(h, Mapping) for h in history.values()
    ):
        series = {}
        for label, h in history.items():
            data = _history_dict(h)
            for key in metrics or list(data):
                series[f"{label} {key}"] = data[key]
    else:
        data = _history_dict(history)
        series = {key: data[key] for key in (metrics or list(data))}
    colours: dict[str, str] = {}
    for key, values in series.items():
        base = key.replace("val_", "")
        style = "--" if "val_" in key else "-"
        (line,) = ax.plot(np.arange(1, len(values) + 1), values, style,
                          color=colours.get(base), label=key)
        colours.setdefault(base, line.get_color())
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metrics[0] if metrics and len(metrics) == 1 else "value")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return fig


def plot_gradient_norms(distances, norms, *, title: str = "Gradient norm against distance",
                        ax=None, figsize=(6, 4)):
    r"""Plot :math:`\lVert \partial L/\partial h_k \rVert` against the distance ``T - k`` (log y).

    ``norms`` is one array, or a dict ``{label: norms}`` to compare several runs
    (e.g. several scales of :math:`W_{hh}`). Geometric decay or growth shows as
    a straight line.
    """
    fig, ax = _figure_and_axes(ax, figsize)
    curves = norms if isinstance(norms, Mapping) else {None: norms}
    distances = np.asarray(distances)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.shape != distances.shape:
            raise ValueError(
                f"norms should have the shape of distances {distances.shape}, "
                f"got shape {values.shape}"
            )
        ax.plot(distances, np.where(values > 0, values, np.nan), marker=".", label=label)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("distance T - k (steps back from the loss)")
    ax.set_ylabel(r"$\|\partial L / \partial h_k\|$")
    if any(label is not None for label in curves):
        ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return fig


def plot_hidden_states(states, tokens: Sequence[str] | None = None, *,
                       title: str = "Hidden state over time", ax=None, figsize=(8, 4),
                       cmap: str = "RdBu_r"):
    """Heat map of one sequence's states, shape (time, units): time on x, units on y.

    ``tokens`` (one label per step) label the x axis. The colour scale is
    symmetric around 0 (tanh states lie in [-1, 1]).
    """
    states = np.asarray(states, dtype=float)
    if states.ndim != 2:
        raise ValueError(
            f"states should have shape (time, units) for one sequence, got shape {states.shape}"
        )
    if tokens is not None and len(tokens) != states.shape[0]:
        raise ValueError(f"got {len(tokens)} tokens for {states.shape[0]} time steps")
    fig, ax = _figure_and_axes(ax, figsize)
    limit = float(np.nanmax(np.abs(states))) if states.size else 0.0
    limit = limit or 1.0
    image = ax.imshow(states.T, aspect="auto", cmap=cmap, vmin=-limit, vmax=limit,
                      interpolation="nearest", origin="lower")
    fig.colorbar(image, ax=ax, label="activation")
    if tokens is not None:
        ax.set_xticks(np.arange(len(tokens)))
        ax.set_xticklabels([str(t) for t in tokens])
    ax.set_title(title)
    ax.set_xlabel("time step")
    ax.set_ylabel("unit")
    return fig


def plot_attention(weights, query_tokens: Sequence[str] | None = None,
                   key_tokens: Sequence[str] | None = None, *,
                   title: str = "Attention weights", ax=None, figsize=(6, 5),
                   cmap: str = "viridis"):
    """Heat map of attention weights (Tq, Tv): output steps on y, input steps on x.

    Row i shows where output step i looked; a roughly diagonal map means the
    model reads the input in order (anti-diagonal: in reverse).
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2:
        raise ValueError(
            f"weights should have shape (Tq, Tv) for one example, got shape {weights.shape}"
        )
    for name, tokens, size in (("query_tokens", query_tokens, weights.shape[0]),
                               ("key_tokens", key_tokens, weights.shape[1])):
        if tokens is not None and len(tokens) != size:
            raise ValueError(f"{name} has {len(tokens)} labels for {size} positions")
    fig, ax = _figure_and_axes(ax, figsize)
    image = ax.imshow(weights, aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0,
                      interpolation="nearest")
    fig.colorbar(image, ax=ax, label="weight")
    if key_tokens is not None:
        ax.set_xticks(np.arange(len(key_tokens)))
        ax.set_xticklabels([str(t) for t in key_tokens], rotation=90)
    if query_tokens is not None:
        ax.set_yticks(np.arange(len(query_tokens)))
        ax.set_yticklabels([str(t) for t in query_tokens])
    ax.set_title(title)
    ax.set_xlabel("input (key) position")
    ax.set_ylabel("output (query) position")
    return fig
