"""The load generator: wrk command lines, runs, and what their output says (requests/s, latency, errors)."""

import re
import shlex
import subprocess
from pathlib import Path

from bench.servers import nice_prefix
from bench.settings import BENCH_DIR as WORK
from bench.settings import ROOT


def wrk_version() -> str:
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (result.stdout + result.stderr).splitlines()[0].split(" Copyright")[0].strip()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {"raw": output}
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    result["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        result[f"p{pct}"] = _ms(*m.groups()) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True)) \
        if m else {}
    return result


class Wrk:
    def __init__(self, *, connections: int, threads: int, duration: int, warmup: int, priority: int = 0):
        self.connections, self.threads, self.duration, self.warmup = connections, threads, duration, warmup
        self.priority = priority

    def argv(self, url: str, *, seconds: int, headers: dict | None = None, script: Path | None = None,
             script_args: tuple = ()) -> list[str]:
        argv = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
        for name, value in (headers or {}).items():
            argv += ["-H", f"{name}: {value}"]
        if script:
            argv += ["-s", str(script)]
        argv.append(url)
        if script_args:
            argv += ["--", *map(str, script_args)]
        return argv

    def run(self, argv: list[str], seconds: int) -> str:
        result = subprocess.run([*nice_prefix(self.priority), *argv], capture_output=True, text=True,
                                timeout=seconds + 60)
        if result.returncode != 0:
            raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
        return result.stdout


def shown(argv: list[str], secrets: dict[str, str]) -> str:
    """A wrk command line for the docs: cookies and tokens replaced by names, paths relative."""
    text = shlex.join(argv)
    for value, name in secrets.items():
        text = text.replace(f"'Cookie: {value}'", f'"Cookie: {name}"')
    text = re.sub(r"http://127\.0\.0\.1:\d+/", "http://127.0.0.1:$PORT/", text)
    return text.replace(str(ROOT) + "/", "").replace(str(WORK), "$WORK")
