"""api/gcpause.py: the collector paused for bulk loading; inherited objects copied at once."""

import gc
import os

import pytest

from api.gcpause import collector_paused, copy_inherited_objects


def _private_dirty_kb() -> int:
    with open("/proc/self/smaps_rollup") as handle:
        return sum(int(line.split()[1]) for line in handle if line.startswith("Private_Dirty"))


def test_collector_paused_restores_the_previous_state():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="Linux only")
def test_a_forked_process_copies_the_inherited_objects_pages():
    """In a child, listing the frozen objects turns the pages they share with the parent into
    its own (private, dirty) memory at once: the faults a first request would have taken."""
    shared = [[i] for i in range(300_000)]  # lists stay tracked: about 25 MB of them
    gc.freeze()
    read, write = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:  # the child reports how much memory became its own, and always exits
            try:
                before = _private_dirty_kb()
                touched = copy_inherited_objects()
                grown = _private_dirty_kb() - before
                os.write(write, f"{touched} {grown} {int(gc.isenabled())}".encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        report = os.read(read, 100)
    finally:
        gc.unfreeze()
        os.close(read)
    touched, grown, enabled = map(int, report.split())
    assert touched >= len(shared)
    assert grown > 10_000  # kB: the lists' pages were copied
    assert enabled == 1  # the collector is back on
