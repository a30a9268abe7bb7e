"""``python -m scripts <verb>``: the command line, parsed in one place (:mod:`scripts.cli`)."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    try:
        from scripts.cli import main
    except ModuleNotFoundError as exc:  # a Python without the pinned packages: say how to run it
        from scripts.environment import is_ours, not_installed

        if is_ours(exc.name):  # a damaged checkout, not a setup step
            sys.exit(f"internal error: {exc}; please report it")
        sys.exit(not_installed(exc.name))
    sys.exit(main())
