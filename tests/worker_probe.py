"""A function for a worker process to run that imports nothing itself."""

import sys


def loaded_modules() -> list[str]:
    return sorted(sys.modules)
