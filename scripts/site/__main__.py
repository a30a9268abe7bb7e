"""``python -m scripts.site ROOT DEST``."""

import sys

from scripts.site.build import main

sys.exit(main())
