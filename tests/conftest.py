import shutil
from pathlib import Path

import pytest

from api import create_app

FIXTURES = Path(__file__).parent / "fixtures"
PACK = FIXTURES / "pack"  # a small valid content pack with a draft and a scheduled entry
BROKEN = FIXTURES / "content"  # single broken files, named for what they break
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("index")
    return create_app({"TESTING": True, "CONTENT_DIR": str(PACK), "INDEX_DIR": str(index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def bundled_app(tmp_path_factory):
    """The app on the clinic's real content pack in content/."""
    index_dir = tmp_path_factory.mktemp("bundled-index")
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})


@pytest.fixture
def bundled_client(bundled_app):
    return bundled_app.test_client()


@pytest.fixture
def pack_copy(tmp_path):
    """A writable copy of the valid fixture pack, for tests that break one file."""
    target = tmp_path / "content"
    shutil.copytree(PACK, target)
    return target
