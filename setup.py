"""Build hook for the compiled SnowNLP tagger; everything else is in setup.cfg."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("analysis.sentiment._viterbi", ["analysis/sentiment/_viterbi.pyx"])],
        compiler_directives={"language_level": "3"},
    )
)
