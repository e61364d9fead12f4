"""api/content/fingerprint.py: the stat fingerprint that lets a restart skip hashing the files."""

import hashlib
import os

from api.content.fingerprint import stat_fingerprint

from .conftest import PACK


def test_it_hashes_each_files_name_size_and_time_in_order():
    """The same digest as hashing one line per file (site files, then each collection's files
    sorted by name): fingerprints recorded by earlier starts (versions.json) stay valid."""
    lines = []
    for name in ("site.yaml", "tags.yaml", "redirects.yaml"):
        info = os.stat(PACK / name)
        lines.append(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n")
    for collection in ("articles", "conditions", "treatments"):
        for name in sorted(os.listdir(PACK / collection)):
            if not name.startswith("."):
                info = os.stat(PACK / collection / name)
                lines.append(f"{collection}/{name}\0{info.st_size}\0{info.st_mtime_ns}\n")
    assert stat_fingerprint(PACK) == hashlib.sha256("".join(lines).encode()).hexdigest()
    assert stat_fingerprint(str(PACK)) == stat_fingerprint(PACK)


def test_an_edit_in_place_changes_it(pack_copy):
    path = pack_copy / "articles" / "knee-pain-basics.md"
    before = stat_fingerprint(pack_copy)
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # same size, newer
    assert stat_fingerprint(pack_copy) != before
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert stat_fingerprint(pack_copy) == before


def test_added_and_removed_files_change_it_dot_files_do_not(pack_copy):
    before = stat_fingerprint(pack_copy)
    (pack_copy / "conditions" / ".new.md.swp").write_text("editor state")
    assert stat_fingerprint(pack_copy) == before
    (pack_copy / "conditions" / "new.md").write_text("---\n")
    added = stat_fingerprint(pack_copy)
    assert added != before
    (pack_copy / "conditions" / "new.md").unlink()
    assert stat_fingerprint(pack_copy) == before
    (pack_copy / "redirects.yaml").unlink()
    assert stat_fingerprint(pack_copy) not in (before, added)
