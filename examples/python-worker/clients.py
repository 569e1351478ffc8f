"""One chat client per provider, as the platform worker's ``get_llm(config)`` builds them, on
the standard library only: Ollama and OpenAI through ``/v1/chat/completions``, Anthropic
through ``/v1/messages``. ``chat`` answers at once; ``stream`` hands over text as it arrives,
the way the built-in runner's clients do for tasks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import quote

from config import LLMConfig
from http_calls import Exchange, ProviderError

ANTHROPIC_VERSION = "2023-06-01"
# Ollama's OpenAI-compatible endpoint needs a key but ignores it (ADR 019).
OLLAMA_API_KEY = "ollama"
# Anthropic requires max_tokens; the built-in runner's default when a task sets none.
DEFAULT_MAX_TOKENS = 1024

__all__ = ["ChatResult", "ProviderError", "get_llm"]


@dataclass
class ChatResult:
    text: str
    model: str
    input_tokens: int
    output_tokens: int


# Called with each Exchange before it starts, so that a cancelled task can abort it.
OnExchange = Callable[[Exchange], None]


class OpenAICompatibleClient:
    """OpenAI, and Ollama through its OpenAI-compatible endpoint."""

    def __init__(self, config: LLMConfig):
        base = config.base_url
        self.api_url = base if base.endswith("/v1") else base + "/v1"
        self.model = config.model_name
        self.key = OLLAMA_API_KEY if config.provider == "ollama" else config.api_key
        # OpenAI deprecated max_tokens; Ollama only reads it.
        self.limit_field = "max_tokens" if config.provider == "ollama" else "max_completion_tokens"

    def _exchange(self, method: str, path: str, body: Optional[dict] = None, timeout: float = 60) -> Exchange:
        return Exchange(method, f"{self.api_url}{path}", {"authorization": f"Bearer {self.key}"}, body, timeout)

    def _body(self, prompt: str, system: Optional[str], max_tokens: Optional[int]) -> dict:
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        return {"model": self.model, "messages": messages, **({self.limit_field: max_tokens} if max_tokens else {})}

    def chat(self, prompt: str, system: Optional[str] = None, max_tokens: int = DEFAULT_MAX_TOKENS) -> ChatResult:
        reply = self._exchange("POST", "/chat/completions", self._body(prompt, system, max_tokens)).read_json()
        usage = reply.get("usage") or {}
        return ChatResult(
            text=reply["choices"][0]["message"].get("content") or "",
            model=reply.get("model", self.model),
            input_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
        )

    def stream(self, prompt: str, system: Optional[str], max_tokens: Optional[int], on_text: Callable[[str], None], on_exchange: OnExchange) -> ChatResult:
        body = {**self._body(prompt, system, max_tokens), "stream": True, "stream_options": {"include_usage": True}}
        exchange = self._exchange("POST", "/chat/completions", body)
        on_exchange(exchange)
        result = ChatResult(text="", model=self.model, input_tokens=0, output_tokens=0)
        for chunk in exchange.events():
            result.model = chunk.get("model") or result.model
            choices = chunk.get("choices") or [{}]
            text = (choices[0].get("delta") or {}).get("content")
            if text:
                result.text += text
                on_text(text)
            usage = chunk.get("usage")
            if usage:
                result.input_tokens, result.output_tokens = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
        return result

    def retrieve_model(self, timeout: float) -> None:
        """GET /v1/models/{model}: proves the key and the model with one cheap call."""
        self._exchange("GET", f"/models/{quote(self.model, safe='')}", timeout=timeout).read_json()


class AnthropicClient:
    def __init__(self, config: LLMConfig):
        base = config.base_url[: -len("/v1")] if config.base_url.endswith("/v1") else config.base_url
        self.api_url = f"{base}/v1"
        self.model = config.model_name
        self.key = config.api_key or ""

    def _exchange(self, method: str, path: str, body: Optional[dict] = None, timeout: float = 60) -> Exchange:
        return Exchange(method, f"{self.api_url}{path}", {"x-api-key": self.key, "anthropic-version": ANTHROPIC_VERSION}, body, timeout)

    def _body(self, prompt: str, system: Optional[str], max_tokens: Optional[int]) -> dict:
        body = {"model": self.model, "max_tokens": max_tokens or DEFAULT_MAX_TOKENS, "messages": [{"role": "user", "content": prompt}]}
        return {**body, "system": system} if system else body

    def chat(self, prompt: str, system: Optional[str] = None, max_tokens: int = DEFAULT_MAX_TOKENS) -> ChatResult:
        reply = self._exchange("POST", "/messages", self._body(prompt, system, max_tokens)).read_json()
        usage = reply.get("usage") or {}
        return ChatResult(
            text="".join(block.get("text", "") for block in reply.get("content", []) if block.get("type") == "text"),
            model=reply.get("model", self.model),
            input_tokens=usage.get("input_tokens", 0),
            output_tokens=usage.get("output_tokens", 0),
        )

    def stream(self, prompt: str, system: Optional[str], max_tokens: Optional[int], on_text: Callable[[str], None], on_exchange: OnExchange) -> ChatResult:
        exchange = self._exchange("POST", "/messages", {**self._body(prompt, system, max_tokens), "stream": True})
        on_exchange(exchange)
        result = ChatResult(text="", model=self.model, input_tokens=0, output_tokens=0)
        for event in exchange.events():
            kind = event.get("type")
            if kind == "message_start":
                message = event.get("message") or {}
                usage = message.get("usage") or {}
                result.model = message.get("model") or result.model
                result.input_tokens, result.output_tokens = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
            elif kind == "content_block_delta" and (event.get("delta") or {}).get("type") == "text_delta":
                text = event["delta"].get("text", "")
                result.text += text
                on_text(text)
            elif kind == "message_delta":
                # message_delta carries the cumulative output count.
                result.output_tokens = (event.get("usage") or {}).get("output_tokens", result.output_tokens)
            elif kind == "error":
                error = event.get("error") or {}
                raise ProviderError("http", f"the stream failed: {error.get('message', 'error')}", 529 if error.get("type") == "overloaded_error" else 500, event)
        return result

    def retrieve_model(self, timeout: float) -> None:
        self._exchange("GET", f"/models/{quote(self.model, safe='')}", timeout=timeout).read_json()


def get_llm(config: LLMConfig):
    if config.provider == "anthropic":
        return AnthropicClient(config)
    return OpenAICompatibleClient(config)
