"""Plot helpers return figures with titles and labelled axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.plots import (  # noqa: E402
    plot_attention,
    plot_gradient_norms,
    plot_hidden_states,
    plot_training_curves,
)


def _labelled(fig):
    ax = fig.axes[0]
    assert isinstance(fig, matplotlib.figure.Figure)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    return ax


def test_training_curves_from_a_dict_and_several_histories():
    history = {"loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.6, 0.4]}
    ax = _labelled(plot_training_curves(history))
    lines = ax.get_lines()
    assert len(lines) == 2 and lines[1].get_linestyle() == "--"
    assert lines[0].get_color() == lines[1].get_color()
    ax = _labelled(plot_training_curves({"a": history, "b": history}, metrics=["loss"]))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a loss", "b loss"]
    plt.close("all")
    with pytest.raises(ValueError, match="History"):
        plot_training_curves([1, 2])


def test_gradient_norms_on_log_scale():
    distances = np.arange(10)
    ax = _labelled(plot_gradient_norms(distances, {"0.5": 0.5**distances,
                                                   "1.5": 1.5**distances}))
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="shape of distances"):
        plot_gradient_norms(distances, np.ones(3))
    plt.close("all")


def test_hidden_states_heat_map_has_time_on_x():
    states = np.random.default_rng(0).uniform(-1, 1, size=(7, 4))
    fig = plot_hidden_states(states, tokens=list("abcdefg"))
    ax = _labelled(fig)
    assert ax.images[0].get_array().shape == (4, 7)
    assert [t.get_text() for t in ax.get_xticklabels()] == list("abcdefg")
    with pytest.raises(ValueError, match=r"\(time, units\)"):
        plot_hidden_states(states[None])
    plt.close("all")


def test_attention_map_with_token_labels():
    weights = np.full((2, 3), 1 / 3)
    fig, ax = plt.subplots()
    returned = plot_attention(weights, ["x", "y"], ["a", "b", "c"], ax=ax)
    assert returned is fig
    _labelled(fig)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
    with pytest.raises(ValueError, match="key_tokens has 2 labels for 3"):
        plot_attention(weights, key_tokens=["a", "b"])
    plt.close("all")
