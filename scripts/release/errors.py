"""The two ways a release stops: not releasable (exit 1) or cannot run (exit 2)."""

from __future__ import annotations

from scripts.report import Problem


class ReleaseError(Exception):
    """The release could not be built for a reason other than invalid data (exit code 2)."""


class ReleaseRefused(Exception):
    """The package is not releasable: validation or release-metadata problems (exit code 1)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
