"""Build hook for the compiled SnowNLP tagger and n-gram lookup; the rest is in setup.cfg."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension("analysis.sentiment._viterbi", ["analysis/sentiment/_viterbi.pyx"]),
            Extension("analysis.judgement._grams", ["analysis/judgement/_grams.pyx"]),
        ],
        compiler_directives={"language_level": "3"},
    )
)
