"""A reference Stigmer agent worker in Python 3 (standard library only).

Run it under the app with ``--runner-command "python3 examples/python-worker/worker.py"``. It
reads its LLM configuration from the environment the app sets (see config.py), exits with 78
(EX_CONFIG, which the app does not restart) on a bad configuration, makes one start-up
request to the configured model and logs the answer, then waits for work until SIGTERM or
Ctrl-C, both of which are a clean stop.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clients import ProviderError, get_llm  # noqa: E402
from config import ConfigError, LLMConfig  # noqa: E402

EX_CONFIG = 78
STARTUP_PROMPT = "Reply with the single word: ready"

log = logging.getLogger("worker")


def main() -> int:
    # Python's own format, which the app's log view reads levels from.
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    try:
        config = LLMConfig.load_from_env()
    except ConfigError as error:
        log.error("configuration error: %s", error)
        return EX_CONFIG
    log.info("worker starting: %s", config.describe())

    stopping = threading.Event()
    # The app stops a runner with SIGTERM: finish cleanly with exit code 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())

    llm = get_llm(config)
    try:
        result = llm.chat(STARTUP_PROMPT, max_tokens=16)
        log.info("provider check ok: %s answered %r (%d in, %d out tokens)", result.model, result.text.strip(), result.input_tokens, result.output_tokens)
    except ProviderError as error:
        log.error("provider check failed: %s", error)

    # Tasks reach the built-in runner over Node's IPC channel, which a Python process does not
    # have; this worker stays up as a long-running worker would until it is told to stop.
    try:
        while not stopping.wait(3600):
            pass
    except KeyboardInterrupt:
        log.info("interrupted; stopping")
        return 0
    log.info("SIGTERM received; stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
