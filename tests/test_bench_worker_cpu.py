"""benchmarks/worker_cpu.py: its variant syntax and its reading of the workers' CPU counters."""

import argparse
import os
import subprocess
import sys
import time

import pytest

from benchmarks.worker_cpu import collected, parse_variant, workers_cpu

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("app:", ("app", {})),
        ("nolog:ACCESS_LOG=0", ("nolog", {"ACCESS_LOG": "0"})),
        (
            "both:ACCESS_LOG=0,RATELIMIT_ENABLED=0",
            ("both", {"ACCESS_LOG": "0", "RATELIMIT_ENABLED": "0"}),
        ),
        (
            "url:PUBLIC_API_URL=https://a.example/x=y",
            ("url", {"PUBLIC_API_URL": "https://a.example/x=y"}),
        ),
    ],
)
def test_variants_name_settings(text, expected):
    assert parse_variant(text) == expected


@pytest.mark.parametrize("text", ["nocolon", ":A=1", "bad:ACCESS_LOG"])
def test_malformed_variants_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_variant(text)


def test_the_cpu_a_child_used_is_counted():
    """The master here is this test's process (other tests' servers may be its children too: only
    the difference counts); the new child burns 0.3 s of CPU, then waits."""
    already = workers_cpu(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", BURN + "time.sleep(30)"])
    try:
        deadline = time.monotonic() + 10
        while workers_cpu(os.getpid()) - already < 0.25 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 0.25 <= workers_cpu(os.getpid()) - already < 5
    finally:
        child.kill()
        child.wait()


def test_the_callgrind_total_is_read_from_its_report():
    report = "==123== Events    : Ir\n==123== Collected : 2444183610\n==123==\n"
    assert collected(report) == 2444183610
    with pytest.raises(RuntimeError, match="no callgrind total"):
        collected("==1== valgrind: bad option\n")
