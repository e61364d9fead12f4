"""What the benchmark scripts share: the app under gunicorn, an HTTP client, Markdown rows and their
marked sections of the README."""

import gzip
import http.client
import os
import platform
import re
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "benchmarks" / "README.md"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def run_line(cores: int | None = None, shared: bool = False) -> str:
    """The start of a benchmark's results: "Run <when> on <CPU>, <n> cores (load average … at
    the end); Python <version>." """
    load = os.getloadavg()
    model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    when = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    note = "; the machine is shared" if shared else ""
    return (
        f"Run {when} on {model.group(1) if model else platform.machine()}, "
        f"{cores or os.cpu_count()} cores (load average {load[0]:.2f}/{load[1]:.2f}/"
        f"{load[2]:.2f} at the end{note}); Python {platform.python_version()}."
    )


def row(*cells) -> str:
    return "| " + " | ".join(map(str, cells)) + " |"


def write_readme_section(start: str, end: str, section: str, intro: str = "") -> None:
    """Replace the text between `start` and `end` in benchmarks/README.md (append if absent),
    leaving every other benchmark's section alone."""
    text = README.read_text(encoding="utf-8") if README.exists() else intro
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text.lstrip(), encoding="utf-8")


def free_port() -> int:
    """A free loopback port (benchmarks only ever bind 127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """(status, decoded body) of one GET on a new connection, as a browser asks (gzip accepted).

    Python's own http.client, not `requests`: the benchmarks time the server, and `requests`
    spends about 2 ms of its own per call on this machine (measured by benchmarks/search.py)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request("GET", target, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body
    finally:
        connection.close()


class Server:
    """`target` under gunicorn as the README serves it (gunicorn.conf.py, 2 workers), on
    127.0.0.1; stopped by the `with` block. The app's settings are its defaults plus `env`: any
    set in the caller's environment are left out."""

    def __init__(self, target: str, log: Path, **env: str):
        from api.config import Config

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        base = {k: v for k, v in os.environ.items() if not hasattr(Config, k) and k != "BIND"}
        env = base | env | {"PORT": str(port), "WEB_CONCURRENCY": "2"}
        self.log = log.open("ab")  # gunicorn's log and the app's access log
        self.started = time.perf_counter()
        argv = [str(GUNICORN), "-c", "gunicorn.conf.py", target]
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def wait_ready(self, path: str, timeout: float = 120.0) -> float:
        """Seconds from Popen to the first 200 answer to `path` (polled every 10 ms)."""
        while time.perf_counter() - self.started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log.name}")
            try:
                if http_get(self.url + path)[0] == 200:
                    return time.perf_counter() - self.started
            except OSError:  # refused until gunicorn listens
                pass
            time.sleep(0.01)
        raise TimeoutError(f"no 200 from {path} within {timeout}s")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
