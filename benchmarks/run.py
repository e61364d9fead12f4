"""Run every benchmark in turn (`make bench`): search, relevance, throughput, worker CPU (and
its Python work and instruction counts), slow clients, crashes, soak.

    python benchmarks/run.py

Each writes its own marked section of benchmarks/README.md. Exits non-zero if any failed.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    ("search.py",),
    ("relevance.py",),
    ("throughput.py",),
    ("worker_cpu.py",),
    ("worker_cpu.py", "--count"),
    ("worker_cpu.py", "--instructions"),
    ("slow_clients.py",),
    ("crashes.py",),
    ("soak.py",),
)


def main() -> int:
    failed = []
    for script, *args in BENCHMARKS:
        name = " ".join((script, *args))
        print(f"== {name}", file=sys.stderr, flush=True)
        argv = [sys.executable, str(HERE / script), *args]
        if subprocess.run(argv, cwd=HERE.parent).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
