"""A lean HTTP/1.1 client over asyncio streams: keep-alive, cookies, just enough parsing.

A generic client (requests, httpx, aiohttp) spends about as much CPU per request as Django itself, and on
2 cores the generator shares the CPU with the server. This one reads the status line, the headers and a
Content-Length body (or, should a page come without its length, a chunked one), and nothing else.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode


class HTTPError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Session:
    """One browser: a keep-alive connection and a cookie jar."""

    host: str
    port: int
    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)
    tls: ssl.SSLContext | None = None  # HTTPS (the rehearsal, through nginx); POSTs then carry an Origin, as browsers'
    forwarded_for: str = ""  # the flash crowd: each resident its own address, as a proxy would say (X-Forwarded-For)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None

    async def _connect(self):
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, ssl=self.tls)

    async def close(self):
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self._reader = self._writer = None

    async def request(self, method: str, path: str, form: dict | None = None, referer: str = "") -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive",
                 "Accept-Language: ja", "User-Agent: yoyaku-rush"]
        if self.forwarded_for:
            lines.append(f"X-Forwarded-For: {self.forwarded_for}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
            if self.tls is not None:  # Django checks the origin of a secure POST (CSRF)
                lines.append(f"Origin: https://{self.host}:{self.port}")
        if referer:
            lines.append(f"Referer: http://{self.host}:{self.port}{referer}")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter()
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: reconnect once
            if self._writer is None:
                await self._connect()
            try:
                self._writer.write(payload)
                response = await asyncio.wait_for(self._read(), self.timeout)
                break
            except (ConnectionError, asyncio.IncompleteReadError, HTTPError):
                await self.close()
                if attempt == 2:
                    raise
        response.elapsed = time.perf_counter() - started
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def _read(self) -> Response:
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise HTTPError(status_line)
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                if val and 'expires=thu, 01 jan 1970' not in value.lower():
                    self.cookies[key.strip()] = val.strip()
                else:
                    self.cookies.pop(key.strip(), None)
            else:
                headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            length = int(headers.get("content-length", "0"))
            body = await self._reader.readexactly(length) if length else b""
        return Response(int(parts[1]), headers, body, 0.0)

    async def _chunked(self) -> bytes:
        """A chunked body (none of our pages should be: tests/test_gate.py checks the gate's pages' length)."""
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            chunk = await self._reader.readexactly(size + 2)  # the chunk and its CRLF
            parts.append(chunk[:-2])
