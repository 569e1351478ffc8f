"""Serves what the app sends on the control channel, as the built-in runner's task loop does
(src/builtin-runner/task-loop.ts): a ``task`` streams ``delta`` messages and ends in ``done``
or ``error``; ``cancel`` aborts a running task (it ends in an ``error`` with code ``cancelled``);
``check`` answers with a ``check-result``. Tasks run concurrently, one thread each.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from channel import validate
from checks import check_provider
from config import LLMConfig
from errors import describe
from http_calls import Exchange, ProviderError

log = logging.getLogger("worker.tasks")


class RunningTask:
    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self._exchange = None
        self._lock = threading.Lock()

    def attach(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchange = exchange
        if self.cancelled.is_set():
            exchange.abort()

    def cancel(self) -> None:
        self.cancelled.set()
        with self._lock:
            exchange = self._exchange
        if exchange is not None:
            exchange.abort()


class TaskLoop:
    def __init__(self, config: LLMConfig, llm, send: Callable[[dict], None]):
        self.config = config
        self.llm = llm
        self.send = send
        self.running: dict[str, RunningTask] = {}
        self._lock = threading.Lock()

    def handle(self, raw) -> None:
        message, problem = validate(raw)
        if message is None:
            log.warning("invalid control message: %s", problem)
            task_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw.get("id") else None
            self.send({"type": "error", **({"id": task_id} if task_id else {}), "code": "protocol", "message": f"invalid control message ({problem})"})
            return
        kind, task_id = message["type"], message["id"]
        if kind == "cancel":
            # Cancelling a finished or unknown task is harmless: the app and the worker may cross messages.
            with self._lock:
                task = self.running.get(task_id)
            if task is not None:
                task.cancel()
            return
        if kind == "check":
            threading.Thread(target=self._check, args=(task_id,), daemon=True).start()
            return
        with self._lock:
            if task_id in self.running:
                self.send({"type": "error", "id": task_id, "code": "protocol", "message": f'a task with id "{task_id}" is already running'})
                return
            task = self.running[task_id] = RunningTask()
        threading.Thread(target=self._run, args=(message, task), daemon=True).start()

    def cancel_all(self) -> None:
        with self._lock:
            tasks = list(self.running.values())
        for task in tasks:
            task.cancel()

    def _run(self, message: dict, task: RunningTask) -> None:
        task_id = message["id"]
        started = time.monotonic()
        first_token = []
        log.info("task %s started (%d prompt characters)", task_id, len(message["prompt"]))

        def on_text(text: str) -> None:
            if not first_token:
                first_token.append(time.monotonic())
            self.send({"type": "delta", "id": task_id, "text": text})

        try:
            result = self.llm.stream(message["prompt"], message.get("system"), message.get("maxTokens"), on_text, task.attach)
            if task.cancelled.is_set():
                raise ProviderError("cancelled", "the task was cancelled")
            latency_ms = round((time.monotonic() - started) * 1000)
            first_token_ms = round((first_token[0] - started) * 1000) if first_token else None
            self.send({
                "type": "done", "id": task_id, "provider": self.config.provider, "model": result.model,
                "usage": {"inputTokens": result.input_tokens, "outputTokens": result.output_tokens},
                "latencyMs": latency_ms, "firstTokenMs": first_token_ms,
            })
            log.info("task %s done: %s, %d in, %d out tokens, %d ms", task_id, result.model, result.input_tokens, result.output_tokens, latency_ms)
        except ProviderError as error:
            if task.cancelled.is_set():
                error = ProviderError("cancelled", "the task was cancelled")
            described = describe(error, self.config)
            (log.info if described["code"] == "cancelled" else log.error)("task %s failed: %s (%s)", task_id, described["message"], error)
            self.send({"type": "error", "id": task_id, **described})
        except Exception as error:  # A reply of an unexpected shape: the task still ends, and the app hears why.
            log.exception("task %s failed unexpectedly", task_id)
            self.send({"type": "error", "id": task_id, "code": "unknown", "message": f"the worker failed: {type(error).__name__}: {error}"})
        finally:
            with self._lock:
                self.running.pop(task_id, None)

    def _check(self, check_id: str) -> None:
        result = check_provider(self.config, self.llm)
        (log.info if result["ok"] else log.warning)("provider check asked by the app %s: %s", "passed" if result["ok"] else "failed", "; ".join(check["message"] for check in result["checks"]))
        self.send({"type": "check-result", "id": check_id, "provider": self.config.provider, "model": self.config.model_name, "baseUrl": self.config.base_url, **result})
