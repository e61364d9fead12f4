"""The production shape on one machine: redis-server, N gunicorn replicas and nginx in front,
each on a free loopback port with its files in one directory, started as child processes (never
as system services). tests/test_deploy.py and the slow-client benchmark run it; an operator can
try the deployment with `python -m deploy.local` (Ctrl-C stops it).

Every replica runs the project's gunicorn.conf.py exactly as production would: sync workers
(nginx buffers slow clients), TRUSTED_PROXIES=1, rate limits in the shared Redis.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .render import render

ROOT = Path(__file__).resolve().parent.parent
SBIN = ("/usr/sbin", "/usr/local/sbin", "/usr/bin")  # nginx is in sbin, often not on PATH


def binary(name: str) -> str:
    """The path of `name` (nginx, redis-server); `make deploy-deps` installs both."""
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in SBIN if os.access(f"{d}/{name}", os.X_OK)), None
    )
    if not found:
        raise FileNotFoundError(f"{name} is not installed: run `make deploy-deps`")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(argv: list[str], log: Path, **options) -> subprocess.Popen:
    """A child in its own session (its own process group), writing stdout and stderr to `log`;
    the parent's copy of the file is closed at once."""
    with log.open("ab") as out:
        return subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **options
        )


def _wait(check, what: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not become ready in {timeout}s")


def _stop(process: subprocess.Popen, sig=signal.SIGTERM, group: bool = False) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig) if group else process.send_signal(sig)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if group:  # workers a killed master left behind
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


@dataclass
class Replica:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a machine that disappeared."""
        _stop(self.process, signal.SIGKILL, group=True)

    def stop(self) -> None:
        """SIGTERM to the master, as an init system stops a service: gunicorn stops accepting,
        lets each worker finish the request it is serving, then exits."""
        _stop(self.process, signal.SIGTERM)
        _stop(self.process, signal.SIGKILL, group=True)  # nothing is left if it hung


@dataclass
class Stack:
    directory: Path
    replicas: list[Replica] = field(default_factory=list)
    redis: subprocess.Popen | None = None
    redis_port: int = 0
    nginx: subprocess.Popen | None = None
    nginx_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def redis_uri(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}"

    def start_redis(self) -> None:
        self.redis_port = free_port()
        data = self.directory / "redis"
        data.mkdir()
        argv = [binary("redis-server"), "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(data), "--daemonize", "no"]
        self.redis = _spawn(argv, self.directory / "redis.log")

        def pong() -> bool:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        _wait(pong, "redis-server", self.redis)

    def start_replica(
        self, env: dict, workers: int = 1, port: int = 0, conf: str = "gunicorn.conf.py"
    ) -> Replica:
        """One gunicorn (gunicorn.conf.py, sync workers) in its own process group; on `port`
        when given (a replica restarted where nginx expects it), else on a free one. `conf` is
        for a benchmark's baseline only (benchmarks/crashes.py)."""
        port = port or free_port()
        settings = {
            "TRUSTED_PROXIES": "1",
            "WORKER_CLASS": "sync",
            **({"RATELIMIT_STORAGE_URI": self.redis_uri} if self.redis else {}),
            **env,
            "PORT": str(port),
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
        }
        log = self.directory / f"replica-{port}.log"
        argv = [sys.executable, "-m", "gunicorn", "-c", conf, "wsgi:app"]
        process = _spawn(argv, log, cwd=ROOT, env={**os.environ, **settings})
        replica = Replica(port, process, log)

        def ready() -> bool:
            with urllib.request.urlopen(replica.url + "/healthz", timeout=2) as response:
                return response.status == 200

        try:
            _wait(ready, f"gunicorn replica (log: {log})", process)
        except Exception:
            replica.stop()
            raise
        ports = [r.port for r in self.replicas]
        if port in ports:  # a restart keeps its place
            self.replicas[ports.index(port)] = replica
        else:
            self.replicas.append(replica)
        return replica

    def start_nginx(self, worker_processes: int = 1, upstreams: list[str] | None = None) -> None:
        """nginx from deploy/nginx.conf in front of the replicas (or of `upstreams`)."""
        self.nginx_port = free_port()
        run, logs = self.directory / "nginx-run", self.directory / "nginx-logs"
        run.mkdir()
        logs.mkdir()
        conf = self.directory / "nginx.conf"
        conf.write_text(
            render(
                upstreams or [f"127.0.0.1:{r.port}" for r in self.replicas],
                listen=f"127.0.0.1:{self.nginx_port}",
                run_dir=str(run),
                log_dir=str(logs),
                cache_dir=str(self.directory / "nginx-cache"),
                cache_max_size="64m",
                user=pwd.getpwuid(os.geteuid()).pw_name,
                worker_processes=str(worker_processes),
            )
        )
        argv = [binary("nginx"), "-p", str(self.directory), "-c", str(conf), "-g", "daemon off;"]
        check = subprocess.run([*argv[:-2], "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.nginx = _spawn(argv, logs / "stderr.log")

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", self.nginx_port), timeout=1):
                return True

        _wait(listening, "nginx", self.nginx)

    def stop(self) -> None:
        if self.nginx:
            _stop(self.nginx, signal.SIGQUIT)  # graceful: finishes requests in flight
        for replica in self.replicas:
            replica.stop()
        if self.redis:
            _stop(self.redis)


def start(env: dict, replicas: int = 2, workers: int = 1, directory: Path | None = None) -> Stack:
    """Redis, `replicas` gunicorns (the first builds the index, the others then find it) and
    nginx. `env` holds the app's settings (CONTENT_DIR, INDEX_DIR, PARTNER_KEYS, …)."""
    stack = Stack(Path(directory or tempfile.mkdtemp(prefix="clinic-deploy-")))
    try:
        stack.start_redis()
        for _ in range(replicas):
            stack.start_replica(env, workers)
        stack.start_nginx()
    except BaseException:
        stack.stop()
        raise
    return stack


if __name__ == "__main__":
    stack = start({}, replicas=int(os.environ.get("REPLICAS", "2")))
    print(f"nginx {stack.url} → {[r.url for r in stack.replicas]}; redis {stack.redis_uri}")
    print(f"files in {stack.directory}; Ctrl-C stops everything")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
