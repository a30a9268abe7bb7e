"""``python -m scripts <verb>``: the command line, parsed in one place (:mod:`scripts.cli`)."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # pandera imports hypothesis, when it is installed (the test environment), for data synthesis,
    # which no command uses: a tenth of a second of every start. An entry of None in sys.modules
    # makes that import fail as if the package were absent, which pandera expects.
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]
    try:
        from scripts.cli import main
    except ModuleNotFoundError as exc:  # a Python without the pinned packages: say how to run it
        from scripts.environment import is_ours, not_installed

        if is_ours(exc.name):  # a damaged checkout, not a setup step
            sys.exit(f"internal error: {exc}; please report it")
        sys.exit(not_installed(exc.name))
    code = main()
    # Every file is written and closed and every worker joined by now: the interpreter's teardown
    # (freeing polars', pandera's and frictionless' modules object by object, a tenth of a second
    # of every command) has nothing left to do. A stream that cannot be flushed (a closed pipe)
    # leaves the exit to the interpreter, which reports it as it always has.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)
