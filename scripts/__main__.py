"""``python -m scripts <verb>``: the command line, parsed in one place (:mod:`scripts.cli`)."""

from __future__ import annotations

import sys

from scripts.cli import main

if __name__ == "__main__":
    sys.exit(main())
