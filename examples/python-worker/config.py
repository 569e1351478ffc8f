"""The worker's LLM configuration, read from the environment the way the platform worker's
``LLMConfig.load_from_env()`` does, and validated at load time.

Precedence per field: the app's ``STIGMER_LLM_*`` contract first, then ADR 019's
``LLM_PROVIDER`` / ``LLM_MODEL`` / ``LLM_BASE_URL``, then ADR 019's defaults (Anthropic when no
provider is set).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import urlsplit

PROVIDERS = ("anthropic", "openai", "ollama")

# ADR 019's defaults; OpenAI, which ADR 019 does not cover, gets the app's default model.
DEFAULT_MODELS = {
    "anthropic": "claude-3-5-sonnet-20240620",
    "openai": "gpt-4.1-mini",
    "ollama": "llama3",
}
DEFAULT_BASE_URLS = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
    "ollama": "http://localhost:11434/v1",
}
KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


class ConfigError(Exception):
    """A configuration that cannot work; the message names the variable and the fix."""


def mask(secret: str) -> str:
    """Enough of a key to tell two apart, never enough to use one (the app's own masking)."""
    if len(secret) >= 20:
        return f"{secret[:7]}…{secret[-4:]}"
    if len(secret) >= 12:
        return f"…{secret[-4:]}"
    return "…"


def _first(env: Mapping[str, str], *names: str) -> tuple[Optional[str], Optional[str]]:
    """The first non-blank variable of ``names``, as (name, value)."""
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return name, value
    return None, None


@dataclass
class LLMConfig:
    provider: str
    model_name: str
    base_url: str
    api_key: Optional[str] = None
    # Where each value came from, for the start-up log line ("env:STIGMER_LLM_MODEL", "default").
    sources: Optional[dict[str, str]] = None

    @classmethod
    def load_from_env(cls, env: Optional[Mapping[str, str]] = None) -> "LLMConfig":
        env = os.environ if env is None else env
        sources: dict[str, str] = {}

        provider_var, provider = _first(env, "STIGMER_LLM_PROVIDER", "LLM_PROVIDER")
        sources["provider"] = f"env:{provider_var}" if provider_var else "default"
        provider = (provider or "anthropic").lower()
        if provider not in PROVIDERS:
            raise ConfigError(f'{provider_var}="{provider}" is not one of {", ".join(PROVIDERS)}; set it to one of them')

        model_var, model = _first(env, "STIGMER_LLM_MODEL", "LLM_MODEL")
        sources["model"] = f"env:{model_var}" if model_var else "default"

        url_var, base_url = _first(env, "STIGMER_LLM_BASE_URL", "LLM_BASE_URL")
        if url_var is None and provider == "ollama":
            url_var, base_url = _first(env, "OLLAMA_HOST")
            if base_url and "://" not in base_url:
                base_url = f"http://{base_url}"
        sources["base_url"] = f"env:{url_var}" if url_var else "default"

        key_var, api_key = (None, None)
        if provider in KEY_VARIABLES:
            key_var, api_key = _first(env, "STIGMER_LLM_API_KEY", KEY_VARIABLES[provider])
        sources["api_key"] = f"env:{key_var}" if key_var else "none"

        config = cls(
            provider=provider,
            model_name=model or DEFAULT_MODELS[provider],
            base_url=(base_url or DEFAULT_BASE_URLS[provider]).rstrip("/"),
            api_key=api_key,
            sources=sources,
        )
        config.validate(url_var or "the default base URL", key_var)
        return config

    def validate(self, url_variable: str = "the base URL", key_variable: Optional[str] = None) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f'{url_variable}="{self.base_url}" is not an http(s) URL; set it to a URL such as {DEFAULT_BASE_URLS[self.provider]}')
        if self.provider in KEY_VARIABLES:
            usual = KEY_VARIABLES[self.provider]
            if not self.api_key:
                raise ConfigError(f"the {self.provider} provider needs an API key; set STIGMER_LLM_API_KEY or {usual}")
            if any(ch.isspace() for ch in self.api_key):
                raise ConfigError(f"{key_variable} contains whitespace; paste the {self.provider} API key again without spaces or line breaks")
            if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
                raise ConfigError(f'{url_variable}="{self.base_url}" is plain HTTP to another machine; an API key is only sent over HTTPS (or to loopback)')

    def describe(self) -> str:
        """One log line: every value with its source, the key masked."""
        key = mask(self.api_key) if self.api_key else "none"
        sources = self.sources or {}
        return (
            f"provider={self.provider} ({sources.get('provider', '?')}) model={self.model_name} ({sources.get('model', '?')}) "
            f"base_url={self.base_url} ({sources.get('base_url', '?')}) api_key={key} ({sources.get('api_key', '?')})"
        )
