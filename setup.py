"""Build hook for the compiled extensions (tagger, n-grams, places, index terms, page
lines); see setup.cfg."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension("analysis.sentiment._viterbi", ["analysis/sentiment/_viterbi.pyx"]),
            Extension("analysis.judgement._grams", ["analysis/judgement/_grams.pyx"]),
            Extension("analysis.tags._places", ["analysis/tags/_places.pyx"]),
            Extension("index._terms", ["index/_terms.pyx"]),
            Extension("analysis.extract._lines", ["analysis/extract/_lines.pyx"]),
        ],
        compiler_directives={"language_level": "3"},
    )
)
