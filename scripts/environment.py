"""Is this Python the project's environment? One line saying how to run the command if not.

``python3 -m scripts validate`` run with a Python that lacks the pinned packages (the system's,
or a venv not yet built) used to fail deep inside a verb with "internal error: ModuleNotFoundError
... please report it": a bug report for what is a setup step. The third-party modules the verbs
import are looked up before any verb runs (``importlib.util.find_spec`` finds a module without
importing it, so this costs a few milliseconds), and a ``ModuleNotFoundError`` that escapes anyway
gets the same advice. This module imports nothing outside the standard library, since it runs
precisely when the rest may not import.
"""

from __future__ import annotations

import importlib.util
import sys

# The third-party modules the verbs import (their distributions are pinned in requirements.txt).
REQUIRED = ("frictionless", "numpy", "openpyxl", "pandera", "polars", "pyarrow", "pycountry",
            "python_calamine", "yaml")
EXIT_CANNOT_RUN = 2


def missing_modules() -> list[str]:
    """The required modules this Python cannot import, in the order of :data:`REQUIRED`."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def advice(missing: list[str], verb: str = "VERB") -> str:
    """The one line that says how to run the command in the project's environment."""
    names = ", ".join(missing)
    return (f"error: this Python ({sys.executable}) does not have the packages the tools need "
            f"(missing: {names}): run `make build` once, then `.venv/bin/python -m scripts {verb} …`")


def not_installed(module: str | None, verb: str = "VERB") -> int:
    """Print :func:`advice` for a module found missing while running and return the exit code."""
    top = (module or "").partition(".")[0]
    print(advice([top or "?"], verb), file=sys.stderr)
    return EXIT_CANNOT_RUN


def is_ours(module: str | None) -> bool:
    """Whether a missing module is part of this project (a bug, not a setup step)."""
    return (module or "").partition(".")[0] in ("scripts", "tests")
