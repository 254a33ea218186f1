"""rnncourse: the helper package of a course on recurrent neural networks.

Modules, one idea each:

- ``rnncourse.data``: seeded generators for the toy tasks;
- ``rnncourse.reference``: NumPy reference maths (forward and backward passes);
- ``rnncourse.layers``: from-scratch Keras layers written with ``keras.ops``;
- ``rnncourse.checks``: the checks that follow every exercise in the notebooks;
- ``rnncourse.grading``: the grader that runs the checks on a learner's notebook;
- ``rnncourse.authoring``: generates the lesson notebooks from the solutions;
- ``rnncourse.environment``: quiet TensorFlow start-up and the version check.

Importing the package does not import TensorFlow; call
:func:`rnncourse.environment.setup` (the lessons do, in their set-up cell) to
import Keras quietly and print the versions in use.
"""

__version__ = "0.1.0"
