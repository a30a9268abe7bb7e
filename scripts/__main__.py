"""Command-line entry point: ``python -m scripts <verb> [options]``.

The CLI stays thin: each verb lives in the module that does the job, and that module is imported
only when its verb runs, so that ``validate`` does not pay for openpyxl or sqlite code.
"""

from __future__ import annotations

import importlib
import sys

VERBS = {
    "validate": ("scripts.validate", "Validate the package (frictionless, pandera checks, provenance)."),
    "export": ("scripts.workbook", "Export the package to an Excel workbook in dist/."),
    "import": ("scripts.workbook", "Import an edited workbook back into tables/*.csv."),
    "release": ("scripts.release", "Build the release bundle in dist/."),
    "diff": ("scripts.release", "Compare two versions of the package, table by table."),
    "docs": ("scripts.release", "Regenerate docs/data-dictionary.md and docs/erd.svg from the schemas."),
}

USAGE = "usage: python -m scripts <verb> [options]\n\nverbs:\n" + "\n".join(
    f"  {verb:<10}{help_}" for verb, (_, help_) in VERBS.items()
)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if argv else 2
    verb, rest = argv[0], argv[1:]
    if verb not in VERBS:
        print(f"unknown verb {verb!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    module = importlib.import_module(VERBS[verb][0])
    return int(module.run(verb, rest))


if __name__ == "__main__":
    sys.exit(main())
