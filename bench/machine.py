"""The machine the benchmark runs on: its facts, the code under test, and other processes' CPU use.

The benchmark shares its CPUs with whatever else runs (other people's tests); :class:`CpuMeter` measures
the share used by processes outside the benchmark during a window, :func:`wait_quiet` waits for a quiet
machine, and :class:`Quiet` says how hard to insist. Other people edit the code while the benchmark runs
(a worker recycled by ``max_requests`` imports whatever is on disk then): :func:`code_fingerprint` tells.
"""

import contextlib
import dataclasses
import os
import platform
import re
import subprocess
import time
from pathlib import Path

from bench.settings import PG_DATABASE, ROOT, logger
from bench.wrk import wrk_version

log = logger("bench")

SOURCE_SKIP = {".git", ".venv", "bench", "docs", "tests", "instance", "node_modules", "__pycache__",
               ".pytest_cache", ".ruff_cache", ".hypothesis", "test-results"}


def code_fingerprint() -> str:
    """A hash of the app's source (Python, templates, catalogs, static files), bench/ and tests excluded."""
    import hashlib

    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SOURCE_SKIP)
        for name in sorted(files):
            if name.endswith((".py", ".html", ".po", ".css", ".js", ".ini", ".mako")):
                path = Path(folder, name)
                digest.update(str(path.relative_to(ROOT)).encode())
                with contextlib.suppress(OSError):
                    digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_state() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench", ":!docs"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return head + (" + uncommitted changes" if dirty else "")


HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def _busy_jiffies() -> int:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4]  # everything but idle and iowait


def _our_jiffies(server_pid: int | None) -> int:
    """CPU of the server (master, workers, and workers already reaped by the master) and of the
    PostgreSQL backends serving the benchmark database."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        comm, fields = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        pid, pgrp = int(entry.name), int(fields[2])
        if server_pid and pgrp == server_pid:
            total += int(fields[11]) + int(fields[12])
            if pid == server_pid:
                total += int(fields[13]) + int(fields[14])
        elif comm == "postgres":
            try:
                cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
            except OSError:
                continue
            if f" {PG_DATABASE} ".encode() in cmdline:
                total += int(fields[11]) + int(fields[12])
    return total


class CpuMeter:
    """Share of the machine's CPU used by processes that are not part of the benchmark during a window."""

    def __init__(self, server_pid: int | None = None):
        self.server_pid = server_pid

    def __enter__(self) -> "CpuMeter":
        times = os.times()
        self.start = (time.monotonic(), _busy_jiffies(), _our_jiffies(self.server_pid),
                      times.children_user + times.children_system)
        return self

    def __exit__(self, *exc) -> None:
        times = os.times()
        wall, busy, ours, children = (time.monotonic(), _busy_jiffies(), _our_jiffies(self.server_pid),
                                      times.children_user + times.children_system)
        wall -= self.start[0]
        ours_j = (ours - self.start[2]) + (children - self.start[3]) * HZ  # children: wrk
        busy_j = busy - self.start[1]
        self.busy_pct = 100 * busy_j / (wall * HZ * NCPU)
        self.ours_pct = 100 * ours_j / (wall * HZ * NCPU)
        self.foreign_pct = max(0.0, self.busy_pct - self.ours_pct)


def wait_quiet(server_pid: int | None, *, limit: float, max_wait: float, what: str) -> float:
    """Wait (up to ``max_wait`` s) until other processes use less than ``limit`` % of the CPUs for 2 s;
    return the share measured last."""
    deadline = time.monotonic() + max_wait
    announced = False
    while True:
        with CpuMeter(server_pid) as meter:
            time.sleep(2)
        if meter.foreign_pct < limit or time.monotonic() > deadline:
            if meter.foreign_pct >= limit:
                log(f"{what}: other processes still use {meter.foreign_pct:.0f}% of the CPUs; measuring anyway")
            return meter.foreign_pct
        if not announced:
            log(f"{what}: waiting for a quiet machine (other processes use {meter.foreign_pct:.0f}% of the CPUs)")
            announced = True


@dataclasses.dataclass
class Quiet:
    """How hard to insist on a quiet machine: other processes' CPU share allowed, waits and retries."""

    limit: float = 10.0
    max_wait: float = 300.0  # per measured run
    retries: int = 2
    budget: float = 1200.0  # waiting and repeating in all, per database; then measure as the machine is
    spent: float = 0.0

    def left(self) -> float:
        return max(0.0, self.budget - self.spent)


def machine_facts() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    import sqlite3

    import gunicorn
    import sqlalchemy

    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
                        capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu.group(1).strip() if cpu else "?",
            "memory_gib": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": pg or "?",
            "sqlalchemy": sqlalchemy.__version__, "gunicorn": gunicorn.__version__, "wrk": wrk_version(),
            "commit": commit}
