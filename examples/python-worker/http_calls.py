"""HTTP exchanges on ``http.client`` that another thread can abort (a cancelled task), JSON
bodies, and server-sent events. Every failure is a ``ProviderError`` whose ``kind`` says what
happened; errors.py turns it into the app's error codes.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
from typing import Iterator, Optional
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 60


class ProviderError(Exception):
    """kind: "http" (the server answered ``status``), "unreachable", "timeout", "cancelled" or "bad-reply"."""

    def __init__(self, kind: str, message: str, status: Optional[int] = None, body: Optional[dict] = None, retry_after: Optional[str] = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.body = body or {}
        self.retry_after = retry_after


class Exchange:
    """One request; ``abort()`` from any thread ends it at once, even in the middle of a read."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: Optional[dict] = None, timeout: float = TIMEOUT_SECONDS):
        parts = urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.url = url
        self.connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        self.method = method
        self.target = parts.path + (f"?{parts.query}" if parts.query else "")
        self.headers = {"accept": "application/json", **headers}
        self.payload = None if body is None else json.dumps(body).encode()
        if self.payload is not None:
            self.headers["content-type"] = "application/json"
        self.aborted = threading.Event()

    def open(self) -> http.client.HTTPResponse:
        """The response of a 2xx answer; any other answer raises ProviderError("http")."""
        if self.aborted.is_set():
            raise ProviderError("cancelled", "the task was cancelled")
        try:
            self.connection.request(self.method, self.target, body=self.payload, headers=self.headers)
            response = self.connection.getresponse()
        except socket.timeout:
            raise self._failure("timeout", f"{self.url} did not answer in time") from None
        except OSError as error:
            raise self._failure("unreachable", f"{self.url} cannot be reached ({error.strerror or error})") from None
        if 200 <= response.status < 300:
            return response
        text = response.read().decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = {}
        body = parsed if isinstance(parsed, dict) else {}
        raise ProviderError("http", f"{self.url} answered {response.status}: {error_text(body, text)}", response.status, body, response.getheader("retry-after"))

    def read_json(self) -> dict:
        response = self.open()
        try:
            return json.load(response)
        except ValueError:
            raise ProviderError("bad-reply", f"{self.url} did not answer with JSON") from None
        finally:
            self.connection.close()

    def abort(self) -> None:
        self.aborted.set()
        sock = self.connection.sock
        if sock is not None:
            try:
                # Unblocks a read in another thread at once, which close() alone does not.
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _failure(self, kind: str, message: str) -> ProviderError:
        return ProviderError("cancelled", "the task was cancelled") if self.aborted.is_set() else ProviderError(kind, message)

    def events(self) -> Iterator[dict]:
        """The JSON ``data:`` of each server-sent event; ``[DONE]`` ends the stream (OpenAI)."""
        response = self.open()
        data: list[str] = []
        try:
            while True:
                try:
                    raw = response.readline()
                except socket.timeout:
                    raise self._failure("timeout", f"{self.url} stopped sending in the middle of its answer") from None
                except OSError as error:
                    raise self._failure("unreachable", f"{self.url} broke off its answer ({error})") from None
                if self.aborted.is_set():
                    raise ProviderError("cancelled", "the task was cancelled")
                if not raw:
                    return
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line == "" and data:
                    text = "\n".join(data)
                    data = []
                    if text == "[DONE]":
                        return
                    try:
                        yield json.loads(text)
                    except ValueError:
                        raise ProviderError("bad-reply", f"{self.url} sent an event that is not JSON") from None
        finally:
            self.connection.close()


def error_text(body: dict, fallback: str) -> str:
    """The message of an Anthropic (``{"error": {"message"}}``), OpenAI or Ollama (``{"error": "..."}``) error body."""
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    return error if isinstance(error, str) else fallback[:300]
