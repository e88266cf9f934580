"""The local Slack's HTTP server: a threaded `http.server` on one port, handing each request on."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any] | str  # a dict is answered as JSON, a string as text
    headers: dict[str, str]
    details: tuple[str, ...] = ()  # what was wrong, when the body cannot say (a response URL's)


# (HTTP method, path with query, lower-cased headers, raw body) -> the reply
Handle = Callable[[str, str, dict[str, str], bytes], Reply]


def _handler_class(handle: Handle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = handle(self.command, self.path, headers, raw)
            if isinstance(reply.body, dict):
                payload, content_type = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
            else:
                payload, content_type = reply.body.encode(), "text/html; charset=utf-8"
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class Server:
    """Serves `handle` on host:port (0: any free port) on a thread of its own, until stop()."""

    def __init__(self, handle: Handle, *, host: str = "127.0.0.1", port: int = 0) -> None:
        server = ThreadingHTTPServer((host, port), _handler_class(handle), bind_and_activate=False)
        server.daemon_threads = True
        server.request_queue_size = 128  # benchmarks send bursts
        server.server_bind()
        server.server_activate()
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="local-slack", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
