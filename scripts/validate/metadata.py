"""The descriptor and every Table Schema against the Data Package v2 profiles, by frictionless.

frictionless is the reference for the metadata, and the first thing a validation asks; it is also
the costliest import of a cold ``python -m scripts validate`` (~0.3 s of ~1 s, with its descriptor
check). From the command line the question is therefore asked of a second Python process at the
start, on the machine's other core, while this one reads and checks the tables; the answer is read
before anything is reported, and a broken descriptor or schema still stops the run first
(:meth:`Pending.verdict`). Library callers (the tests, the import) ask in process, where
frictionless is imported once for many validations. Either way the verdict and its words are
frictionless's: when the second process cannot start or answer, the question is asked in process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import IO

from scripts.model.names import DESCRIPTOR
from scripts.model.package import Package, PackageError, read_json

Items = list[tuple[str, str, dict]]  # (file named in the message, "package" or "schema", its JSON)

# What the second process runs: isolated (-I: no current folder, no PYTHON* settings, no user
# site), it reads the items as JSON on stdin and answers one JSON line: the first broken file's
# message, or null. The items are data (JSON values), never code, paths or options.
_CHILD = """
import json, sys
items = json.load(sys.stdin)  # read first: the parent's write never waits on the import below
from frictionless import Package, Schema
for label, kind, data in items:
    report = (Package if kind == "package" else Schema).validate_descriptor(data)
    if not report.valid:
        print(json.dumps(label + ": " + report.errors[0].message)); break
else:
    print("null")
"""

_VALID: set[str] = set()  # verdicts remembered for the process, by content
ANSWER_TIMEOUT = 120.0  # seconds; a second process still silent then is killed and the question asked here


class Pending:
    """A metadata check asked and not yet read: :meth:`verdict` raises PackageError on a broken file."""

    def __init__(self, items: Items, key: str, child: subprocess.Popen | None) -> None:
        self.items, self.key, self.child = items, key, child

    def verdict(self) -> None:
        """Wait for the answer (once); raise PackageError naming the first broken file."""
        if self.key in _VALID:
            return
        answer = _answer(self.child) if self.child is not None else _NO_ANSWER
        self.child = None
        message = _in_process(self.items) if answer is _NO_ANSWER else answer
        if message is not None:
            raise PackageError(message)
        _VALID.add(self.key)

    def abandon(self) -> None:
        """Stop the second process without its answer (the run was interrupted)."""
        if self.child is not None:
            self.child.kill()
            self.child.communicate()
            self.child = None


_NO_ANSWER = object()  # the second process failed or was not started: ask in process


def items_of(package: Package) -> Items:
    """The descriptor (without the schemas it points to) and each Table Schema file, as checked."""
    descriptor = json.loads(json.dumps(package.descriptor))
    for resource in descriptor.get("resources", []):
        resource.pop("schema", None)  # schemas are checked one by one below, from the files read
        if resource.get("name") in package.refused:
            resource["path"] = "refused.csv"  # reported as unsafe-path, with the resource's name
    items: Items = [(str(package.root / DESCRIPTOR), "package", descriptor)]
    for table in package.tables.values():
        if table.schema_path.name != DESCRIPTOR:
            items.append((str(table.schema_path), "schema", read_json(table.schema_path)))
    return items


def start(package: Package, parallel: bool = False) -> Pending:
    """Ask frictionless about ``package``'s metadata. In process (``parallel`` false, or frictionless
    already imported here) the answer is had at once and a broken file raises here; otherwise a
    second process is started and :meth:`Pending.verdict` reads its answer."""
    items = items_of(package)
    key = json.dumps([(kind, data) for _, kind, data in items], sort_keys=True)
    if key in _VALID:
        return Pending(items, key, None)
    if not parallel or _frictionless_loaded():
        pending = Pending(items, key, None)
        pending.verdict()
        return pending
    return Pending(items, key, _spawn(items))


def _frictionless_loaded() -> bool:
    """frictionless is imported here already (a second validation): asking in process is cheaper."""
    return "frictionless" in sys.modules


def metadata_problems(package: Package) -> None:
    """Raise PackageError naming the first broken file: nothing else can be trusted after it."""
    start(package).verdict()


def _in_process(items: Items) -> str | None:
    from frictionless import Package as FrictionlessPackage
    from frictionless import Schema

    for label, kind, data in items:
        report = (FrictionlessPackage if kind == "package" else Schema).validate_descriptor(data)
        if not report.valid:
            return f"{label}: {report.errors[0].message}"
    return None


def _spawn(items: Items) -> subprocess.Popen | None:
    """The second process, fed its items; None when it cannot start (asked in process instead).

    The items are written by a thread: a pipe holds 64 KiB, and a process that stops reading (hung,
    or dead) must not hold this one up; the thread ends when the pipe closes either way."""
    try:
        child = subprocess.Popen([sys.executable, "-I", "-c", _CHILD], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    pipe, child.stdin = child.stdin, None  # communicate() then only reads the answer
    threading.Thread(target=_feed, args=(pipe, json.dumps(items).encode()), daemon=True).start()
    return child


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        with pipe:
            pipe.write(data)
    except OSError:  # the process died or was killed: its answer is missing, and asked in process
        pass


def _answer(child: subprocess.Popen) -> str | object | None:
    """The second process's answer: a message, None (valid), or _NO_ANSWER when it failed."""
    try:
        out, _ = child.communicate(timeout=ANSWER_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return _NO_ANSWER
    lines = out.decode("utf-8", "replace").strip().splitlines()
    if child.returncode != 0 or not lines:
        return _NO_ANSWER
    try:
        message = json.loads(lines[-1])
    except ValueError:
        return _NO_ANSWER
    return message if isinstance(message, str) or message is None else _NO_ANSWER
