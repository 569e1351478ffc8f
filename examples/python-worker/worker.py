"""A reference Stigmer agent worker in Python 3 (standard library only).

Run it under the app with ``--runner-command "python3 examples/python-worker/worker.py"``. It
reads its LLM configuration from the environment the app sets (see config.py), exits with 78
(EX_CONFIG, which the app does not restart) on a bad configuration, makes one start-up
request to the configured model and logs the answer, then waits for work until SIGTERM or
Ctrl-C, both of which are a clean stop.

Started with ``--runner-control-channel``, the app also gives it a control channel (channel.py):
the worker then says ``ready`` and answers the same tasks, checks and cancellations as the
built-in runner (tasks.py), until the app closes the channel.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from channel import Channel, ChannelError  # noqa: E402
from checks import check_provider  # noqa: E402
from clients import ProviderError, get_llm  # noqa: E402
from config import ConfigError, LLMConfig, mask  # noqa: E402
from tasks import TaskLoop  # noqa: E402

EX_CONFIG = 78
STARTUP_PROMPT = "Reply with the single word: ready"

log = logging.getLogger("worker")


def main() -> int:
    # Python's own format, which the app's log view reads levels from.
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    try:
        config = LLMConfig.load_from_env()
        # Taken first, so the app can send tasks while the start-up request is still under way.
        channel = Channel.from_env()
    except (ConfigError, ChannelError) as error:
        log.error("configuration error: %s", error)
        return EX_CONFIG
    log.info("worker starting: %s", config.describe())

    stopping = threading.Event()
    # The app stops a runner with SIGTERM: finish cleanly with exit code 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())

    llm = get_llm(config)
    if channel is not None:
        serve_channel(channel, config, llm, stopping)
    else:
        log.info("no control channel (the app gives one with --runner-control-channel); waiting until stopped")

    try:
        result = llm.chat(STARTUP_PROMPT, max_tokens=16)
        log.info("provider check ok: %s answered %r (%d in, %d out tokens)", result.model, result.text.strip(), result.input_tokens, result.output_tokens)
    except ProviderError as error:
        log.error("provider check failed: %s", error)

    try:
        while not stopping.wait(3600):
            pass
    except KeyboardInterrupt:
        log.info("interrupted; stopping")
        return 0
    log.info("SIGTERM received or the app closed the channel; stopping")
    return 0


def serve_channel(channel: Channel, config: LLMConfig, llm, stopping: threading.Event) -> None:
    """Answers the app on its channel in a background thread; the app closing it stops the worker."""
    # Server text quoted in a message may echo the key: it is masked in everything but model output.
    key = config.api_key

    def send(message: dict) -> None:
        if key and message["type"] != "delta":
            message = json.loads(json.dumps(message).replace(key, mask(key)))
        channel.send(message)

    loop = TaskLoop(config, llm, send)

    def serve() -> None:
        channel.serve(loop.handle, lambda problem: log.warning("the app sent %s on the control channel; ignored", problem))
        log.info("the app closed the control channel")
        loop.cancel_all()
        stopping.set()

    threading.Thread(target=serve, daemon=True).start()
    send({"type": "ready", "provider": config.provider, "model": config.model_name, "baseUrl": config.base_url})
    if config.provider == "ollama":
        # As the built-in runner does: Ollama is local and free to ask, so it is checked at once and a
        # failure is reported as an error of no task, which the window shows until it is fixed.
        threading.Thread(target=report_ollama_check, args=(config, llm, send), daemon=True).start()


def report_ollama_check(config: LLMConfig, llm, send) -> None:
    failed = next((check for check in check_provider(config, llm)["checks"] if check["status"] == "error"), None)
    if failed is not None:
        log.warning("Ollama check failed: %s", failed["message"])
        send({"type": "error", "code": failed.get("code", "unknown"), "message": failed["message"], **({"fix": failed["fix"]} if "fix" in failed else {})})


if __name__ == "__main__":
    sys.exit(main())
