"""The finite-difference helper itself."""

import numpy as np
import pytest

from rnncourse.reference import numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function_and_restores_x():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    saved = x.copy()
    grad = numerical_gradient(lambda: np.sum(np.sin(x) * x**2), x)
    np.testing.assert_allclose(grad, np.cos(saved) * saved**2 + 2 * saved * np.sin(saved),
                               rtol=1e-8)
    np.testing.assert_array_equal(x, saved)


def test_relative_error_and_input_checks():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2) / 2)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(TypeError, match="float NumPy array"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_gradient(lambda: 0.0, np.zeros(2), eps=0)
