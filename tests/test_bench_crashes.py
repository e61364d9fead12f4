"""benchmarks/crashes.py's reading of an answer: what nginx could retry and what it could not."""

import socket
import threading

import pytest

from benchmarks.crashes import answer

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"


def serve_once(reply: bytes | None) -> int:
    """A port whose one connection reads the request, then sends `reply` and closes (None:
    resets the connection without sending anything)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        connection, _ = listener.accept()
        with listener, connection:
            connection.recv(65536)
            if reply is None:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            else:
                connection.sendall(reply)

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (HEAD + b"0123456789", "whole"),
        (HEAD + b"01234", "cut short"),
        (HEAD[:20], "cut short"),
        (b"", "nothing received"),
        (None, "nothing received"),
    ],
)
def test_answers_are_told_apart(reply, expected):
    assert answer(serve_once(reply), "/v1/site") == expected


def test_a_closed_port_is_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert answer(port, "/v1/site") == "refused"
