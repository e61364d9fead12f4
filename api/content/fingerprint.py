"""Naming a content pack's state without parsing it: which files it has, their hash, and a
cheap fingerprint of names, sizes and modification times."""

import hashlib
import os
from pathlib import Path

from schemas.common import COLLECTIONS


def content_files(root: Path):
    """(kind, rel, path) of every file the pack may hold, in a fixed order; kind None for the
    site and tags files. Dot files (editor swap files, .gitkeep) are not content."""
    for name in ("site.yaml", "tags.yaml", "redirects.yaml"):
        if (root / name).is_file():
            yield None, name, root / name
    for kind, collection in COLLECTIONS.items():
        directory = root / collection
        # plain strings: sorting thousands of Path objects costs more than reading the files
        names = sorted(os.listdir(directory)) if directory.is_dir() else ()
        for name in names:
            if not name.startswith("."):
                yield kind, f"{collection}/{name}", directory / name


def content_version(content_dir: str | Path) -> str:
    """Hash of every content file: names the search index and versions ETags."""
    hasher = hashlib.sha256()
    root = str(content_dir)
    for _, rel, _path in content_files(Path(content_dir)):
        try:
            with open(os.path.join(root, rel), "rb") as handle:
                data = handle.read()
        except (IsADirectoryError, FileNotFoundError):
            continue
        hasher.update(rel.encode() + b"\0" + data)
    return hasher.hexdigest()[:16]


def stat_fingerprint(content_dir) -> str:
    """Hash of every content file's name, size and modification time: tens of milliseconds
    (one stat per file), where hashing the bytes of 5,000 files takes a few hundred."""
    lines = []  # hashed in one piece: 5,000 updates of a few bytes cost a third as much again
    root = str(content_dir)
    for name in ("site.yaml", "tags.yaml", "redirects.yaml"):
        try:
            info = os.stat(os.path.join(root, name))
        except OSError:
            continue
        lines.append(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n")
    for collection in COLLECTIONS.values():
        try:  # scandir's entries carry what stat needs without a Path per file
            entries = {e.name: e for e in os.scandir(os.path.join(root, collection))}
        except OSError:
            continue
        for name in sorted(entries):
            if name.startswith("."):
                continue
            try:
                info = entries[name].stat()
            except OSError:
                continue
            lines.append(f"{collection}/{name}\0{info.st_size}\0{info.st_mtime_ns}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()
