"""A warm process that forks one child per fault-injection run, so that a kill -9 test pays for
its own work only, not for a new interpreter and its imports (about a second each).

The server imports the command modules once and runs no polars or pyarrow work itself: their
thread pools start lazily, so each forked child starts its own and a fork never copies a pool
that holds a lock. A child runs ``scripts.cli.main(argv)`` exactly as ``python -m scripts`` would
(stdout and stderr go to files), with ``scripts.files.checkpoint_hook`` set to

- ``kill``: SIGKILL itself the n-th time it reaches a named step (a real kill -9: the OS closes
  its files and releases its lock, nothing else is cleaned up), or
- ``pause``: create ``<dir>/at-<step>`` and wait until ``<dir>/go-<step>`` exists, so that a test
  can start a second writer while the first one stands at a chosen point holding the lock.

Protocol (JSON lines): ``{"op": "start", ...job}`` → ``{"pid": N}``; ``{"op": "wait", "pid": N}``
→ ``{"exit": code}`` (negative: killed by that signal).
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # seconds for one child; far above any run here

SERVER = r"""
import json, os, signal, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import scripts.cli, scripts.files as files
import scripts.release.build, scripts.release.parquet, scripts.release.sqlite, scripts.site
import scripts.xlsx.read.importer, scripts.xlsx.write.export
import scripts.validate.checks, scripts.validate.rules, scripts.validate.provenance, pandera.polars
from scripts.model.package import load_package
from scripts.validate import metadata_problems
import shutil, tempfile
from scripts.site import build_site
from scripts.xlsx.write.export import export_workbook
# Warm the caches that need no thread pool: frictionless' verdict on the descriptor, openpyxl's
# styles and the site's templates (a child then pays what a second run in one process pays).
metadata_problems(load_package(sys.argv[1]))
warm = Path(tempfile.mkdtemp(prefix="cac-forks-"))
export_workbook(load_package(sys.argv[1]), warm / "warm.xlsx")
build_site(Path(sys.argv[1]), warm / "site")
shutil.rmtree(warm)

def hook_for(job):
    seen = {}
    kill, pause = job.get("kill"), job.get("pause")
    def hook(name):
        seen[name] = seen.get(name, 0) + 1
        if kill and name == kill[0] and seen[name] == kill[1]:
            os.kill(os.getpid(), signal.SIGKILL)
        if pause and name == pause[0] and seen[name] == pause[1]:
            folder = Path(pause[2])
            (folder / f"at-{name}").touch()
            while not (folder / f"go-{name}").exists():
                time.sleep(0.01)
    return hook

def child(job):
    out = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(job["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    if job.get("cwd"):
        os.chdir(job["cwd"])
    files.checkpoint_hook = hook_for(job)
    code = 3
    try:
        code = scripts.cli.main(job["argv"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

for line in sys.stdin:
    job = json.loads(line)
    if job["op"] == "start":
        pid = os.fork()
        if pid == 0:
            child(job)
        print(json.dumps({"pid": pid}), flush=True)
    else:
        _, status = os.waitpid(job["pid"], 0)
        print(json.dumps({"exit": os.waitstatus_to_exitcode(status)}), flush=True)
"""


@dataclass
class Run:
    """One command run in a forked child: its pid and where its output goes."""

    server: Forks
    pid: int
    out: Path
    err: Path

    def wait(self) -> Done:
        reply = self.server.ask({"op": "wait", "pid": self.pid})
        return Done(reply["exit"], self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8"))


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


class Forks:
    """The server process; ``run`` and ``start`` give each command a fresh forked child."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, str(REPO)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=REPO)
        self.count = 0

    def ask(self, message: dict) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], TIMEOUT)
        if not ready:  # a child hung: fail the test rather than the whole run
            self.process.kill()
            raise AssertionError(f"no answer from the fork server within {TIMEOUT} s to {message}")
        line = self.process.stdout.readline()
        assert line, "the fork server died"
        return json.loads(line)

    def start(self, argv: list[str], logs: Path, kill: tuple[str, int] | None = None,
              pause: tuple[str, int, Path] | None = None, cwd: Path | None = None) -> Run:
        """Start ``python -m scripts ARGV`` in a child; it is killed or paused at a step if asked."""
        self.count += 1
        out, err = logs / f"out-{self.count}.txt", logs / f"err-{self.count}.txt"
        job = {"op": "start", "argv": [str(a) for a in argv], "out": str(out), "err": str(err),
               "kill": list(kill) if kill else None, "cwd": str(cwd) if cwd else None,
               "pause": [pause[0], pause[1], str(pause[2])] if pause else None}
        return Run(self, self.ask(job)["pid"], out, err)

    def run(self, argv: list[str], logs: Path, kill: tuple[str, int] | None = None, cwd: Path | None = None) -> Done:
        return self.start(argv, logs, kill=kill, cwd=cwd).wait()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def wait_for(path: Path, timeout: float = 60) -> None:
    """Wait until a paused child has reached its step (it creates ``path``)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def wait_for_text(path: Path, text: str, timeout: float = 60) -> None:
    """Wait until a running child has written ``text`` to its output file ``path``."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, f"{text!r} never appeared in {path.name}"
        time.sleep(0.01)
