"""The TLS transport: a ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive over ``ssl``.

The TLS handshake happens in the connection's own thread (never in the accept loop), and every
connection has a socket timeout, so a slow or silent client cannot wedge the server. Each request is
logged as one line on stdout (method, path, query option *names*, status, milliseconds) and, outside
``/_sim/``, in the request log.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from dqt_simulator import server as routes
from dqt_simulator.app import Simulator
from dqt_simulator.httpmsg import REASONS, Headers, Request, Response

_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")
MAX_BODY = 256 * 1024 * 1024


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: Simulator, context: ssl.SSLContext) -> None:
        super().__init__(address, SimRequestHandler)
        self.sim = sim
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError, OSError)):
            return  # clients going away are not our problem
        super().handle_error(request, client_address)


class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dqt-sim"
    sys_version = ""
    timeout = 120
    #: TCP_NODELAY, as real web servers set it: without it a response larger than one TLS record ends in a small
    #: segment that Nagle holds back until the client's delayed ACK (40 ms on Linux) for every such request.
    disable_nagle_algorithm = True
    server: SimHTTPServer
    _started_at = 0.0

    def handle(self) -> None:
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _base_url(self) -> str:
        host = str(self.headers.get("Host") or "")
        if not _HOST_RE.match(host):
            address = self.server.server_address[0]
            name = address.decode() if isinstance(address, bytes) else str(address)
            host = f"{name}:{self.server.port}"
        return f"https://{host}"

    def _serve(self) -> None:
        started = time.perf_counter()
        sim = self.server.sim
        self._started_at = sim.clock.time()
        target = self.path
        if "://" in target:
            split = urlsplit(target)
            target = split.path + (f"?{split.query}" if split.query else "")
        path, _, query = target.partition("?")
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._write(
                Response(413, b'{"error":{"code":"0x8006088a","message":"Request too large."}}', "application/json")
            )
            return
        req = Request(self.command, path, query, Headers(self.headers.items()), body, self._base_url())
        response = routes.handle(sim, req)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                if response.reset:  # SO_LINGER 0: close() sends RST, the client reads ECONNRESET
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                else:
                    self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._write(response)
        self._log(req, response, (time.perf_counter() - started) * 1000)

    def _write(self, response: Response) -> None:
        reason = REASONS.get(response.status, "Unknown")
        lines = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Date: {self.date_time_string()}",
            f"Content-Length: {len(response.body)}",
        ]
        if response.content_type and (response.body or response.status not in (204, 304)):
            lines.append(f"Content-Type: {response.content_type}")
        lines += [f"{name}: {value}" for name, value in response.headers]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if len(response.body) < 65536:
            self.wfile.write(head + response.body)
        else:
            self.wfile.write(head)
            self.wfile.write(response.body)

    def _log(self, req: Request, response: Response, duration_ms: float) -> None:
        names = [unquote(p.partition("=")[0]) for p in req.query.split("&") if p]
        shown = req.path + (f"?{'&'.join(names)}" if names else "")
        status = ("RESET" if response.reset else "DROPPED") if response.drop else str(response.status)
        print(f"{req.method} {shown} {status} {duration_ms:.1f}ms", flush=True)
        if req.path.startswith("/_sim"):
            return
        retry = response.header("Retry-After")
        self.server.sim.requests.add(
            {
                "ts": self._started_at,
                "method": req.method,
                "path": req.path,
                "status": None if response.drop else response.status,
                "dropped": response.drop,
                "reset": response.reset,
                #: a dropped answer to a request that was carried out: its status, else null
                "lost_status": response.status if response.carried_out else None,
                "retry_after": int(retry) if retry and retry.isdigit() else None,
                "client_id": req.client_id,
                "duration_ms": round(duration_ms, 3),
            }
        )


def make_server(sim: Simulator, host: str, port: int, certfile: str, keyfile: str) -> SimHTTPServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return SimHTTPServer((host, port), sim, context)
