"""A misbehaving HTTP/1.1 server on loopback: answers the token request properly, then does what the
test asks with every other request (trickle an answer byte by byte, send an endless body, or hold the
connection without a word). Counts what it sent, so a test can tell how much the client read."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable

Behaviour = Callable[[socket.socket, "BadServer"], None]


class BadServer:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.bytes_sent = 0
        self.requests = 0
        self.got_request = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> BadServer:
        self._accepter.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._accepter.join(5)
        self._listener.close()
        for t in self._threads:
            t.join(5)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        buf = b""
        try:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    return
                buf += data
                if b"\r\n\r\n" not in buf:
                    continue
                head, _, rest = buf.partition(b"\r\n\r\n")
                length = next(
                    (int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")), 0
                )
                while len(rest) < length:
                    rest += conn.recv(65536)
                buf = rest[length:]
                if b" /v1/auth/token " in head.split(b"\r\n")[0]:
                    body = json.dumps({"access_token": "t", "token_type": "bearer", "expires_in": 3600}).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
                    continue
                self.requests += 1
                self.got_request.set()
                self.behaviour(conn, self)
                return
        except OSError:
            return
        finally:
            conn.close()

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.bytes_sent += len(data)


def trickle(interval: float, *, headers_too: bool = True) -> Behaviour:
    """One byte every ``interval`` seconds — of the whole answer, or of its body only."""
    body = b'{"events": [], "next_cursor": 0, "has_more": false}' + b" " * 200
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body)

    def run(conn: socket.socket, server: BadServer) -> None:
        data = head + body
        if not headers_too:
            server.send(conn, head)
            data = body
        for i in range(len(data)):
            if server.stopping:
                return
            try:
                server.send(conn, data[i : i + 1])
            except OSError:
                return
            time.sleep(interval)

    return run


def endless(total: int, *, declared: bool) -> Behaviour:
    """A ``total``-byte answer (Content-Length declared, or chunked so only reading tells)."""

    def run(conn: socket.socket, server: BadServer) -> None:
        block = b"[" + b"0," * 32_000 + b"0]"
        try:
            if declared:
                server.send(
                    conn, b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % total
                )
                sent = 0
                while sent < total and not server.stopping:
                    piece = block[: total - sent]
                    server.send(conn, piece)
                    sent += len(piece)
            else:
                server.send(
                    conn, b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                )
                sent = 0
                while sent < total and not server.stopping:
                    server.send(conn, b"%x\r\n" % len(block) + block + b"\r\n")
                    sent += len(block)
                server.send(conn, b"0\r\n\r\n")
        except OSError:
            return

    return run


def silent(conn: socket.socket, server: BadServer) -> None:
    """Read the request, never answer, keep the connection open until the test ends."""
    while not server.stopping:
        time.sleep(0.05)
