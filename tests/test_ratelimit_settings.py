"""RATELIMIT_STRATEGY and RATELIMIT_KEY_PREFIX: settings that change how requests are counted."""

import pytest

from api import create_app
from api.config import Config, from_environment

from .conftest import PACK


def _config(tmp_path, **settings) -> dict:
    return {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False} | settings


def test_both_settings_have_defaults_and_read_from_the_environment():
    assert (Config.RATELIMIT_STRATEGY, Config.RATELIMIT_KEY_PREFIX) == ("fixed-window", "")
    environ = {"RATELIMIT_STRATEGY": "moving-window", "RATELIMIT_KEY_PREFIX": "staging"}
    assert from_environment(environ) == environ


def test_an_unknown_strategy_stops_start_up_naming_the_choices(tmp_path):
    with pytest.raises(ValueError) as raised:
        create_app(_config(tmp_path, RATELIMIT_STRATEGY="leaky-bucket"))
    message = str(raised.value)
    assert "RATELIMIT_STRATEGY" in message and "'leaky-bucket'" in message
    assert "fixed-window, moving-window, sliding-window-counter" in message


def test_a_strategy_the_local_storage_cannot_do_stops_start_up(tmp_path):
    with pytest.raises(ValueError, match=r"RATELIMIT_STRATEGY=moving-window is not supported"):
        create_app(_config(tmp_path, RATELIMIT_STRATEGY="moving-window"))


def test_a_moving_window_on_memory_storage_counts_and_refuses(tmp_path):
    config = _config(tmp_path, RATELIMIT_STRATEGY="moving-window", RATELIMIT_DEFAULT="2/minute")
    client = create_app(config | {"RATELIMIT_STORAGE_URI": "memory://"}).test_client()
    assert [client.get("/v1/site").status_code for _ in range(3)] == [200, 200, 429]


def test_the_key_prefix_starts_every_counter_key(tmp_path):
    app = create_app(_config(tmp_path, RATELIMIT_KEY_PREFIX="staging"))
    assert app.test_client().get("/v1/site").headers["RateLimit-Remaining"] == "1199"
    keys = list(app.extensions["rate_limits"].storage.counters)
    assert keys and all(key.startswith("LIMITER/staging/") for key in keys), keys
    plain = create_app(_config(tmp_path))
    plain.test_client().get("/v1/site")
    assert all(
        not k.startswith("LIMITER/staging/")
        for k in plain.extensions["rate_limits"].storage.counters
    )
