"""api/gcpause.py: the collector paused for bulk loading."""

import gc

from api.gcpause import collector_paused


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
