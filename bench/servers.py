"""gunicorn processes on a free loopback port: the one helper of the benchmark and the race tests.

:class:`GunicornProcess` runs ``gunicorn -c gunicorn.conf.py [app]`` from the repository root with the
environment it is given (``GUNICORN_BIND`` set to ``127.0.0.1:<port>``), in its own process group so that
stopping it reaches its workers, with its output appended to a log file. It waits until ``GET /healthz``
answers 200 (and, if asked, until every worker has booted), checks health, reads its log from an offset,
and stops: the stop signal to the master (SIGINT: quick, SIGTERM: graceful), SIGKILL to the whole group
when it lingers. Every process started here is stopped at interpreter exit as well.

Used by ``bench/run.py`` (via :class:`bench.measure.Server`) and ``tests/concurrency/harness.py``.
"""

import atexit
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class ServerError(RuntimeError):
    """gunicorn exited or did not answer in time (the message quotes its log)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nice_prefix(priority: int) -> list[str]:
    """``nice -n -N`` for ``priority`` N (0: nothing): a process ahead of other people's."""
    return ["nice", "-n", str(-priority)] if priority else []


def gunicorn_executable() -> str:
    gunicorn = BIN / "gunicorn"
    return str(gunicorn if gunicorn.exists() else "gunicorn")


_running: set["GunicornProcess"] = set()


@atexit.register
def _stop_leftovers() -> None:  # belt and braces: the owners normally stop their servers
    for server in list(_running):
        server.stop()


class GunicornProcess:
    """One gunicorn master with its workers, in its own process group, on a free loopback port.

    ``env`` is the whole environment of the process (``GUNICORN_BIND`` is added by :meth:`start`);
    ``app`` the WSGI application (``None``: the one of ``gunicorn.conf.py``); ``prefix`` goes before the
    command (e.g. :func:`nice_prefix`); ``stop_signal`` is what :meth:`request_stop` sends the master.
    """

    def __init__(self, *, env: dict[str, str], log_path: Path, app: str | None = None, prefix: list[str] = (),
                 stop_signal: int = signal.SIGINT, stop_timeout: float = 15, truncate_log: bool = False):
        self.env, self.log_path, self.app = env, log_path, app
        self.prefix = list(prefix)
        self.stop_signal, self.stop_timeout, self.truncate_log = stop_signal, stop_timeout, truncate_log
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_start = 0  # where the current part of the log begins (see mark())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def argv(self) -> list[str]:
        # No control socket: gunicorn's default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every
        # instance on the machine (one must not take over another's), and closing it costs 2 s.
        return [*self.prefix, gunicorn_executable(), "-c", "gunicorn.conf.py", "--no-control-socket",
                *([self.app] if self.app else [])]

    def start(self, port: int | None = None) -> None:
        """Start the master on ``port`` (a free one when ``None``); returns at once (see :meth:`wait_ready`)."""
        self.port = port or free_port()
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        with self.log_path.open("wb" if self.truncate_log else "ab") as log:
            self.log_start = log.tell()
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        _running.add(self)

    def _answers(self, timeout: float) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.request("GET", "/healthz")
                return conn.getresponse().status == 200
            finally:
                conn.close()
        except OSError:
            return False

    def wait_ready(self, timeout: float = 40) -> bool:
        """Wait for ``GET /healthz`` == 200; False when gunicorn exited (e.g. the port was taken meanwhile).

        Raises :class:`ServerError` when it still does not answer after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            # A long timeout: a probe that gave up would leave a stale request in the listen queue.
            if self._answers(max(1.0, deadline - time.monotonic())):
                return True
            time.sleep(0.1)
        raise ServerError(f"gunicorn on {self.url} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def wait_booted(self, workers: int, timeout: float = 60) -> None:
        """Wait until ``workers`` workers have logged "Booting worker" (each imports the app on its own)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.log().count("Booting worker") < workers:
            time.sleep(0.2)

    def healthy(self) -> bool:
        """True when the master runs and a worker answers ``GET /healthz`` with 200 within 10 s."""
        return self.proc is not None and self.proc.poll() is None and self._answers(10)

    def request_stop(self) -> None:
        """Send the master its stop signal (it stops its workers, then itself); do not wait."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(self.stop_signal)

    def stop(self) -> None:
        """Stop the master and every process of its group, whatever state they are in; wait for the master."""
        proc = self.proc
        if proc is None:
            return
        self.request_stop()
        try:
            proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):  # a worker that outlived its master
            os.killpg(proc.pid, signal.SIGKILL)
        _running.discard(self)

    # ---- the log ---------------------------------------------------------------------------------------

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def mark(self) -> None:
        """Start the current part of the log (e.g. one test's) here."""
        self.log_start = self.log_size()

    def log_between(self, start: int, end: int | None = None) -> str:
        """The log from byte ``start`` to ``end`` (the end of the file when ``None``)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(start)
                return log.read(-1 if end is None else end - start).decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log(self) -> str:
        """The log since :meth:`mark` (since the start of this process otherwise)."""
        return self.log_between(self.log_start)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])
