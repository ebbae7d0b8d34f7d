"""A fault-injecting HTTP/1.1 proxy on loopback, between the sync client and the back office.

Per request it either relays faithfully or injects one fault: a connection reset in the middle of the
request body, a 503 without reaching the server, the server's answer replaced by a 500 or dropped
(connection reset) *after the server committed*, an answer held past the client's read timeout, or
the request delivered to the server twice at once (duplicate). Bodies are framed by Content-Length,
which is what httpx sends for the client's JSON and chunk bodies.

``rewrite`` (optional) sees each relayed (request, response) pair after the server answered and may
return another response: a back office that committed the request but answers off-schema.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

FAULTS = (
    "reset_mid_body",
    "error_503",
    "error_500_after_commit",
    "drop_response_after_commit",
    "timeout_after_commit",
    "duplicate",
)


def _rst(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a crashed peer or middlebox would."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def _read_message(sock: socket.socket, buf: bytes, *, response: bool = False) -> tuple[bytes, bytes] | None:
    """Read one HTTP message (head + Content-Length/chunked body); returns (message, leftover)."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    status = int(lines[0].split()[1]) if response else 0
    if response and (status in (204, 304) or 100 <= status < 200):
        return head + b"\r\n\r\n", rest
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        body = b""
        while True:
            while b"\r\n" not in rest:
                data = sock.recv(65536)
                if not data:
                    return None
                rest += data
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                data = sock.recv(65536)
                if not data:
                    return None
                rest += data
            body += size_line + b"\r\n" + rest[: size + 2]
            rest = rest[size + 2 :]
            if size == 0:
                return head + b"\r\n\r\n" + body, rest
    length = int(headers.get(b"content-length", b"0"))
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            return None
        rest += data
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        rates: dict[str, float],
        *,
        seed: int = 7,
        hold: float = 1.0,
        rewrite: Callable[[bytes, bytes], bytes | None] | None = None,
    ) -> None:
        self.rewrite = rewrite
        self.upstream = ("127.0.0.1", upstream_port)
        self.rates = rates
        self.hold = hold
        self.enabled = True
        self.counts: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()  # requests seen: the packet paths, and "/attachments/" for chunks
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._accepter = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._handlers: list[threading.Thread] = []

    def start(self) -> FaultProxy:
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._accepter.join(5)
        self._listener.close()
        for t in self._handlers:
            t.join(5)

    def _choose(self) -> str | None:
        with self._lock:
            if not self.enabled:
                return None
            x = self._rng.random()
            for fault, rate in self.rates.items():
                if x < rate:
                    return fault
                x -= rate
            return None

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._handlers = [h for h in self._handlers if h.is_alive()] + [t]
            t.start()

    def _forward(self, message: bytes) -> bytes | None:
        with socket.create_connection(self.upstream, timeout=30) as up:
            up.sendall(message)
            got = _read_message(up, b"", response=True)
            return got[0] if got else None

    def _forward_kept(self, message: bytes, up: socket.socket | None) -> tuple[bytes | None, socket.socket | None]:
        """Relay over the upstream connection kept for this client connection (like a real proxy)."""
        for _attempt in (1, 2):
            if up is None:
                up = socket.create_connection(self.upstream, timeout=30)
                up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                up.sendall(message)
                got = _read_message(up, b"", response=True)
            except OSError:
                got = None
            if got is not None:
                return got[0], up
            up.close()  # the server closed an idle keep-alive connection: reconnect once
            up = None
        return None, None

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(30)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        upstream: socket.socket | None = None
        try:
            while not self._stop.is_set():
                got = _read_message(client, buf)
                if got is None:
                    return
                message, buf = got
                fault = self._choose()
                _method, path = request_line(message)
                with self._lock:
                    self.counts[fault or "pass"] += 1
                    self.paths["/attachments/" if "/attachments/" in path else path] += 1
                if fault == "reset_mid_body":
                    with socket.create_connection(self.upstream, timeout=30) as up:
                        body_at = message.index(b"\r\n\r\n") + 4
                        cut = body_at + (len(message) - body_at) // 2 if len(message) > body_at else body_at // 2
                        up.sendall(message[:cut])
                        _rst(up)
                    _rst(client)
                    return
                if fault == "error_503":
                    client.sendall(
                        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                    client.close()
                    return
                if fault == "duplicate":
                    answers: list[bytes | None] = []
                    twins = [
                        threading.Thread(target=lambda a=answers, m=message: a.append(self._forward(m)))
                        for _ in range(2)
                    ]
                    for t in twins:
                        t.start()
                    for t in twins:
                        t.join()
                    response = next((a for a in answers if a), None)
                else:
                    response, upstream = self._forward_kept(message, upstream)
                if response is None:
                    _rst(client)
                    return
                if fault == "error_500_after_commit":
                    client.sendall(
                        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                    client.close()
                    return
                if fault == "drop_response_after_commit":
                    _rst(client)
                    return
                if self.rewrite is not None:
                    response = self.rewrite(message, response) or response
                if fault == "timeout_after_commit":
                    time.sleep(self.hold)
                    client.close()
                    return
                client.sendall(response)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                try:
                    if sock is not None:
                        sock.close()
                except OSError:
                    pass


def request_line(message: bytes) -> tuple[str, str]:
    """(method, path without the query) of a raw request."""
    method, target = message.split(b"\r\n", 1)[0].decode().split(" ")[:2]
    return method, target.split("?", 1)[0]


def response_json(response: bytes) -> Any:
    return json.loads(response.split(b"\r\n\r\n", 1)[1])


def json_response(body: Any, status: str = "200 OK") -> bytes:
    """A complete HTTP/1.1 answer carrying ``body`` (any JSON value, or raw bytes)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n".encode() + data
