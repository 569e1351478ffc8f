"""The app's control channel, when it gave one (``--runner-control-channel``): a socket on the
descriptor named by ``STIGMER_CONTROL_FD`` carrying one JSON object per line each way. What the
app sends is checked here exactly as src/shared/runner-protocol.ts (AppToRunnerSchema) defines it.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from typing import Callable, Optional, Tuple

FD_VARIABLE = "STIGMER_CONTROL_FD"
# The app drops longer lines (MAX_CONTROL_LINE_BYTES); the worker refuses them the same way.
MAX_LINE_BYTES = 1024 * 1024
MAX_ID_CHARS = 200
MAX_TOKENS_LIMIT = 1_000_000

FIELDS = {"task": {"type", "id", "prompt", "system", "maxTokens"}, "cancel": {"type", "id"}, "check": {"type", "id"}}


def validate(message) -> Tuple[Optional[dict], Optional[str]]:
    """(message, None) when it is a valid task, cancel or check; (None, why) otherwise."""
    if not isinstance(message, dict):
        return None, "message: expected an object"
    kind = message.get("type")
    if kind not in FIELDS:
        return None, f"type: expected one of {', '.join(FIELDS)}"
    extra = sorted(set(message) - FIELDS[kind])
    if extra:
        return None, f"message: unrecognized key(s) {', '.join(extra)}"
    task_id = message.get("id")
    if not isinstance(task_id, str) or not 1 <= len(task_id) <= MAX_ID_CHARS:
        return None, f"id: expected a string of 1 to {MAX_ID_CHARS} characters"
    if kind == "task":
        if not isinstance(message.get("prompt"), str) or message["prompt"] == "":
            return None, "prompt: expected a non-empty string"
        if "system" in message and not isinstance(message["system"], str):
            return None, "system: expected a string"
        limit = message.get("maxTokens")
        if "maxTokens" in message and (isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_TOKENS_LIMIT):
            return None, f"maxTokens: expected a whole number from 1 to {MAX_TOKENS_LIMIT}"
    return message, None


class ChannelError(Exception):
    """The descriptor the environment names cannot be the app's channel."""


class Channel:
    def __init__(self, fd: int):
        # Not inherited by anything the worker starts: only this process speaks on it.
        os.set_inheritable(fd, False)
        self._socket = socket.socket(fileno=fd)
        self._reader = self._socket.makefile("rb")
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> Optional["Channel"]:
        """The channel the app opened, or None when started without one (by hand, or without the flag)."""
        value = os.environ.pop(FD_VARIABLE, "")
        if not value:
            return None
        try:
            return cls(int(value))
        except (ValueError, OSError) as error:
            raise ChannelError(f"{FD_VARIABLE}={value!r} is not an open socket ({error}); unset it to run without the control channel") from None

    def send(self, message: dict) -> None:
        line = json.dumps(message, ensure_ascii=False).encode() + b"\n"
        with self._lock:
            try:
                self._socket.sendall(line)
            except OSError:
                pass  # The app has gone away; the reader sees the end and stops the worker.

    def serve(self, handle: Callable[[object], None], on_problem: Callable[[str], None]) -> None:
        """Reads messages until the app closes its end; each one that is JSON goes to ``handle``."""
        while True:
            try:
                line = self._reader.readline(MAX_LINE_BYTES + 1)
            except OSError:
                return
            if not line:
                return
            if not line.endswith(b"\n") and len(line) > MAX_LINE_BYTES:
                on_problem(f"a line longer than {MAX_LINE_BYTES} bytes")
                while line and not line.endswith(b"\n"):
                    line = self._reader.readline(MAX_LINE_BYTES + 1)
                continue
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except ValueError:
                on_problem("a line that is not JSON")
                continue
            handle(message)
