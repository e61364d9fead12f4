"""Run every benchmark in turn (`make bench`): search, relevance, throughput, worker CPU,
slow clients, crashes, soak.

    python benchmarks/run.py

Each writes its own marked section of benchmarks/README.md. Exits non-zero if any failed.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    "search.py",
    "relevance.py",
    "throughput.py",
    "worker_cpu.py",
    "slow_clients.py",
    "crashes.py",
    "soak.py",
)


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"== {name}", file=sys.stderr, flush=True)
        if subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
