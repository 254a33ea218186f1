r"""Finite-difference gradients, to check a backward pass.

The central difference

.. math::

    \frac{\partial f}{\partial x_j} \approx \frac{f(x + \varepsilon e_j) - f(x - \varepsilon e_j)}
    {2 \varepsilon}

has an error of order :math:`\varepsilon^2`; in float64 with
:math:`\varepsilon \approx 10^{-6}` it agrees with a correct analytic gradient
to about 1e-8 relative error. Always check in float64: in float32 the rounding
error of :math:`f` swamps the difference.
"""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at the array ``x``.

    ``f`` takes no arguments and reads ``x``; ``x`` must be a float NumPy
    array that ``f`` uses (it is changed in place one entry at a time and
    restored afterwards). Returns an array of ``x``'s shape.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float NumPy array that f reads, got {type(x).__name__}")
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    grad = np.zeros_like(x, dtype=np.float64)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be changed in place")
    for j in range(flat.size):
        saved = flat[j]
        flat[j] = saved + eps
        f_plus = float(f())
        flat[j] = saved - eps
        f_minus = float(f())
        flat[j] = saved
        grad_flat[j] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b, floor: float = 1e-12) -> float:
    r"""Relative error between two gradients, in Euclidean norm over all entries:

    .. math::

        \frac{\lVert a-b \rVert}{\max(\lVert a \rVert + \lVert b \rVert, \text{floor})}

    Below about 1e-7 in float64 a gradient check passes.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), floor)
    return float(np.linalg.norm(a - b)) / scale
