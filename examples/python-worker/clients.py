"""One chat client per provider, as the platform worker's ``get_llm(config)`` builds them, on
``urllib`` only: Ollama and OpenAI through ``/v1/chat/completions``, Anthropic through
``/v1/messages``.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Optional

from config import LLMConfig

ANTHROPIC_VERSION = "2023-06-01"
# Ollama's OpenAI-compatible endpoint needs a key but ignores it (ADR 019).
OLLAMA_API_KEY = "ollama"
TIMEOUT_SECONDS = 60


@dataclass
class ChatResult:
    text: str
    model: str
    input_tokens: int
    output_tokens: int


class ProviderError(Exception):
    """A failed request: the status (None when the server was not reached) and a safe message."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


def _post(url: str, headers: dict[str, str], body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"content-type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        try:
            parsed = json.loads(detail)
            detail = parsed.get("error", {}).get("message") if isinstance(parsed.get("error"), dict) else parsed.get("error", detail)
        except (ValueError, AttributeError):
            pass
        raise ProviderError(f"{url} answered {error.code}: {detail}", error.code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ProviderError(f"{url} cannot be reached ({reason})") from None


class OpenAICompatibleClient:
    """OpenAI, and Ollama through its OpenAI-compatible endpoint."""

    def __init__(self, config: LLMConfig):
        base = config.base_url
        self.url = f"{base if base.endswith('/v1') else base + '/v1'}/chat/completions"
        self.model = config.model_name
        self.key = OLLAMA_API_KEY if config.provider == "ollama" else config.api_key
        # OpenAI deprecated max_tokens; Ollama only reads it.
        self.limit_field = "max_tokens" if config.provider == "ollama" else "max_completion_tokens"

    def chat(self, prompt: str, system: Optional[str] = None, max_tokens: int = 1024) -> ChatResult:
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        reply = _post(self.url, {"authorization": f"Bearer {self.key}"}, {"model": self.model, "messages": messages, self.limit_field: max_tokens})
        usage = reply.get("usage") or {}
        return ChatResult(
            text=reply["choices"][0]["message"].get("content") or "",
            model=reply.get("model", self.model),
            input_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
        )


class AnthropicClient:
    def __init__(self, config: LLMConfig):
        base = config.base_url[: -len("/v1")] if config.base_url.endswith("/v1") else config.base_url
        self.url = f"{base}/v1/messages"
        self.model = config.model_name
        self.key = config.api_key or ""

    def chat(self, prompt: str, system: Optional[str] = None, max_tokens: int = 1024) -> ChatResult:
        body = {"model": self.model, "max_tokens": max_tokens, "messages": [{"role": "user", "content": prompt}]}
        if system:
            body["system"] = system
        reply = _post(self.url, {"x-api-key": self.key, "anthropic-version": ANTHROPIC_VERSION}, body)
        usage = reply.get("usage") or {}
        return ChatResult(
            text="".join(block.get("text", "") for block in reply.get("content", []) if block.get("type") == "text"),
            model=reply.get("model", self.model),
            input_tokens=usage.get("input_tokens", 0),
            output_tokens=usage.get("output_tokens", 0),
        )


def get_llm(config: LLMConfig):
    if config.provider == "anthropic":
        return AnthropicClient(config)
    return OpenAICompatibleClient(config)
