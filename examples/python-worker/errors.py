"""A failed request as the app shows it: one of the protocol's error codes (src/shared/runner-protocol.ts)
with a sentence and a fix, the same mapping as the built-in runner's (src/shared/provider-errors.ts).
"""
from __future__ import annotations

import re

from config import LLMConfig
from http_calls import ProviderError

LABELS = {"anthropic": "Anthropic", "openai": "OpenAI", "ollama": "Ollama"}


def _server_says(message) -> str:
    return f' The server said: "{message[:300]}"' if isinstance(message, str) and message else ""


def _inner(body: dict) -> dict:
    error = body.get("error")
    return error if isinstance(error, dict) else {"message": error} if isinstance(error, str) else {}


def describe(error: ProviderError, config: LLMConfig) -> dict:
    """{"code", "message", "fix"?, "status"?}: the fields of the protocol's error message."""
    label, model, base_url = LABELS[config.provider], config.model_name, config.base_url
    if error.kind == "cancelled":
        return {"code": "cancelled", "message": "the task was cancelled"}
    if error.kind == "timeout":
        return {"code": "timeout", "message": f"{base_url} did not answer in time", "fix": "Check the network, or whether the server is overloaded."}
    if error.kind == "unreachable":
        fix = "Start Ollama (`ollama serve`) or check OLLAMA_HOST / the base URL." if config.provider == "ollama" else "Check the network connection and the base URL."
        return {"code": "unreachable", "message": f"cannot reach {base_url}", "fix": fix}
    if error.kind != "http" or error.status is None:
        return {"code": "unknown", "message": str(error)}
    status, inner = error.status, _inner(error.body)
    if status == 401:
        return {
            "code": "auth",
            "status": status,
            "message": f"the {label} API key was rejected (401); check or replace it",
            "fix": f"Enter a valid {label} API key in Settings, or set it with the environment variable for {label}.",
        }
    if status == 403:
        return {
            "code": "auth",
            "status": status,
            "message": f"the {label} API key is not allowed to do this (403).{_server_says(inner.get('message'))}",
            "fix": f"Check the key's permissions, organisation or project in your {label} account.",
        }
    if status == 404:
        # A 404 about the model names it (Anthropic "model: x", OpenAI model_not_found, Ollama 'model "x" not found').
        if inner.get("code") == "model_not_found" or re.search(r"\bmodel\b", str(inner.get("message", "")), re.I):
            fix = f"Run `ollama pull {model}`, or choose an installed model." if config.provider == "ollama" else f"Choose a model your {label} account can use (STIGMER_LLM_MODEL or the model setting)."
            return {"code": "model-not-found", "status": status, "message": f'the model "{model}" was not found at {label} (404)', "fix": fix}
        return {
            "code": "not-found",
            "status": status,
            "message": f"{base_url} answered 404: it does not serve the {label} API there",
            "fix": "Check the base URL (STIGMER_LLM_BASE_URL or the base URL setting).",
        }
    if status == 429:
        wait = f"; retry after {error.retry_after} s" if error.retry_after and error.retry_after.isdigit() else ""
        return {
            "code": "rate-limit",
            "status": status,
            "message": f"the {label} API rate limit was reached (429){wait}",
            "fix": f"Wait and try again, or raise your {label} usage limits.",
        }
    if status == 529 or inner.get("type") == "overloaded_error":
        return {"code": "server", "status": status, "message": f"the {label} API is overloaded ({status}); try again shortly", "fix": "Try again in a minute."}
    if status >= 500:
        return {
            "code": "server",
            "status": status,
            "message": f"the {label} API failed with a server error ({status}).{_server_says(inner.get('message'))}",
            "fix": "Try again later; if it persists, check the provider status page.",
        }
    return {"code": "bad-request", "status": status, "message": f"the {label} API refused the request ({status}).{_server_says(inner.get('message') or str(error))}"}
