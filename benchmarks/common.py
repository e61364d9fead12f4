"""What the benchmark scripts share: Markdown rows and their marked sections of the README."""

import gzip
import http.client
import socket
from pathlib import Path
from urllib.parse import urlsplit

README = Path(__file__).resolve().parent / "README.md"


def row(*cells) -> str:
    return "| " + " | ".join(map(str, cells)) + " |"


def write_readme_section(start: str, end: str, section: str, intro: str = "") -> None:
    """Replace the text between `start` and `end` in benchmarks/README.md (append if absent),
    leaving every other benchmark's section alone."""
    text = README.read_text(encoding="utf-8") if README.exists() else intro
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text.lstrip(), encoding="utf-8")


def free_port() -> int:
    """A free loopback port (benchmarks only ever bind 127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """(status, decoded body) of one GET on a new connection, as a browser asks (gzip accepted).

    Python's own http.client, not `requests`: the benchmarks time the server, and `requests`
    spends about 2 ms of its own per call on this machine (measured by benchmarks/search.py)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request("GET", target, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body
    finally:
        connection.close()
