#!/usr/bin/env bash
# Test the course with the versions Google Colab ships: Python 3.13, TensorFlow 2.20,
# Keras 3.13, NumPy 2.1, statsmodels 0.14, pandas 2.2, in their own environment (.venv-colab). The default
# environment (.venv, made by `python3 course.py ...`) tests the newest releases.
#
#   bash tools/colab_versions.sh                        # package tests + every solution notebook
#   bash tools/colab_versions.sh tests/test_grader.py   # or whatever pytest should run
#
# Python 3.13 is taken from $COLAB_PYTHON, else python3.13 on the PATH, else pyenv.
set -euo pipefail
cd "$(dirname "$0")/.."

PINS=(tensorflow==2.20.0 keras==3.13.2 numpy==2.1.3 statsmodels==0.14.5 pandas==2.2.3)
VENV=.venv-colab

works() { [ -n "$1" ] && "$1" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; }
python=${COLAB_PYTHON:-}
if ! works "$python"; then python=$(command -v python3.13 || true); fi
if ! works "$python"; then
  python=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 2>/dev/null | tail -n 1 || true)
fi
if ! works "$python"; then
  echo "tools/colab_versions.sh needs Python 3.13: set COLAB_PYTHON=/path/to/python3.13" >&2
  exit 2
fi

wanted="${PINS[*]} $(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$wanted" ]; then
  echo "Creating $VENV with Colab's versions (${PINS[*]}) ..."
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  # The pins first, then the course: pip keeps the pinned versions, which satisfy its ranges.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --editable ".[dev]" "${PINS[@]}"
  echo "$wanted" > "$VENV/.pins"
fi

"$VENV/bin/python" - <<'PY'
import sys, numpy, keras, tensorflow
print(f"Colab leg: Python {sys.version.split()[0]}, TensorFlow {tensorflow.__version__}, "
      f"Keras {keras.__version__}, NumPy {numpy.__version__}")
assert tensorflow.__version__.startswith("2.20.") and keras.__version__.startswith("3.13.")
PY
if [ "$#" -eq 0 ]; then
  workers=$(( $(nproc) < 4 ? $(nproc) : 4 ))
  set -- -n "$workers" --dist loadscope tests solutions
fi
exec "$VENV/bin/python" -m pytest "$@"
