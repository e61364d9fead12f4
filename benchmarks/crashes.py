"""Workers killed (SIGKILL) while they answer: what the clients received from each killed answer.

A replica behind nginx runs gunicorn sync workers. nginx can retry a request on another replica
only while it has received nothing of the answer; once it has forwarded a head, a worker that dies
leaves the client a cut-short response. gunicorn.conf.py holds a sync worker's output in the kernel
until the response is whole and resets the connection if the worker dies (its pre_request and
post_request hooks). This measures what that changes, in one run:

- **held**: gunicorn.conf.py as it is;
- **baseline**: the same without the two hooks (benchmarks/gunicorn_without_hold.py).

Each serves the bundled content with 2 sync workers and no proxy, so that the clients see exactly
what nginx would see: `clients` threads request a mix of details, lists and searches on new
connections while a killer sends SIGKILL to one of the replica's workers every 0.1–0.3 s (the
master forks a new one). Each answer is classified as whole, *nothing received* (nginx retries
it: an error before any header) or *cut short* (a head, then less body than its Content-Length:
nginx cannot retry it).

    python benchmarks/crashes.py [--duration 30] [--clients 4]
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import row, run_line, write_readme_section  # noqa: E402
from benchmarks.slow_clients import HEADERS, PARTNERS, mix  # noqa: E402

START, END = "<!-- crashes-results:start -->", "<!-- crashes-results:end -->"
VARIANTS = (("baseline", "benchmarks/gunicorn_without_hold.py"), ("held", "gunicorn.conf.py"))
LENGTH = re.compile(rb"^content-length:\s*(\d+)", re.I | re.M)


def answer(port: int, path: str) -> str:
    """What one GET on a new connection received: whole, nothing, cut short or refused."""
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
    request += "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items()) + "\r\n"
    received = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(request.encode())
            while chunk := client.recv(65536):
                received += chunk
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        pass  # a reset: what was received so far decides
    head, ended, body = received.partition(b"\r\n\r\n")
    if not received:
        return "nothing received"
    length = LENGTH.search(head)
    if not ended or not length or len(body) < int(length.group(1)):
        return "cut short"
    return "whole"


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except OSError:
        return []


def measure(name: str, conf: str, args) -> dict:
    from deploy import local

    stack = local.Stack(Path(tempfile.mkdtemp(prefix="crashes-")))
    env = {
        "TRUSTED_PROXIES": "0",
        "INDEX_DIR": str(stack.directory / "index"),
        "PARTNER_KEYS": PARTNERS,
        "ACCESS_LOG": "false",
    }
    try:
        replica = stack.start_replica(env, workers=2, conf=conf)
        paths = mix(replica.url)
        outcomes: Counter = Counter()
        kills = 0
        lock = threading.Lock()
        deadline = time.monotonic() + args.duration

        def client(seed: int) -> None:
            pick = random.Random(seed)
            while time.monotonic() < deadline:
                outcome = answer(replica.port, pick.choice(paths))
                with lock:
                    outcomes[outcome] += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        pick = random.Random(0)
        while time.monotonic() < deadline:
            time.sleep(pick.uniform(0.1, 0.3))
            workers = workers_of(replica.process.pid)
            if workers:
                try:
                    os.kill(pick.choice(workers), signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass
        for thread in threads:
            thread.join()
        result = {"variant": name, "conf": conf, "kills": kills, "outcomes": dict(outcomes)}
        print(f"{name}: {kills} kills, {dict(outcomes)}", file=sys.stderr, flush=True)
        return result
    finally:
        stack.stop()
        shutil.rmtree(stack.directory, ignore_errors=True)


def report(results: list[dict], args) -> str:
    lines = [
        f"{run_line()} Bundled content, one replica with 2 sync workers, "
        f"{args.clients} clients on new connections for {args.duration:.0f} s per variant, a "
        "worker killed every 0.1–0.3 s. *Nothing received* is what nginx retries on another "
        "replica; *cut short* reaches the client as a failed request.",
        "",
        row("variant", "kills", "answers", "whole", "nothing received", "cut short", "refused"),
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        o = r["outcomes"]
        lines.append(
            row(
                f"{r['variant']} (`{r['conf']}`)",
                r["kills"],
                sum(o.values()),
                o.get("whole", 0),
                o.get("nothing received", 0),
                f"**{o.get('cut short', 0)}**",
                o.get("refused", 0),
            )
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    results = [measure(name, conf, args) for name, conf in VARIANTS]
    table = report(results, args)
    print(table)
    if not args.no_readme:
        write_readme_section(START, END, table)
    held = next(r for r in results if r["variant"] == "held")
    return 1 if held["outcomes"].get("cut short") else 0


if __name__ == "__main__":
    sys.exit(main())
