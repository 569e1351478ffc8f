"""The provider check the app asks for (``check``), as the built-in runner makes it
(src/builtin-runner/provider-check.ts): Ollama answers ``/api/version`` and lists the model in
``/api/tags``; a cloud provider accepts one authenticated ``GET /v1/models/{model}``.
"""
from __future__ import annotations

from config import LLMConfig
from errors import LABELS, describe
from http_calls import Exchange, ProviderError

OLLAMA_TIMEOUT_SECONDS = 5
CLOUD_TIMEOUT_SECONDS = 15


def _failed(name: str, described: dict) -> dict:
    check = {"name": name, "status": "error", "code": described["code"], "message": described["message"]}
    return {**check, "fix": described["fix"]} if described.get("fix") else check


def _outcome(checks: list, server_version=None) -> dict:
    result = {"ok": all(check["status"] != "error" for check in checks), "checks": checks}
    return {**result, "serverVersion": server_version} if server_version is not None else result


def _installed(model: str, names: list) -> bool:
    """Ollama adds ``:latest`` to a name without a tag."""
    full = model if ":" in model else f"{model}:latest"
    return full in names or model in names


def check_ollama(config: LLMConfig) -> dict:
    base = config.base_url[: -len("/v1")] if config.base_url.endswith("/v1") else config.base_url
    try:
        version = Exchange("GET", f"{base}/api/version", {}, timeout=OLLAMA_TIMEOUT_SECONDS).read_json().get("version")
    except ProviderError as error:
        if error.kind in ("http", "bad-reply"):
            return _outcome([{
                "name": "server", "status": "error", "code": "wrong-server",
                "message": f"something answers at {base} but it is not Ollama",
                "fix": "Point OLLAMA_HOST or the base URL at the Ollama server, or free that port.",
            }])
        return _outcome([_failed("server", describe(error, config))])
    server = {"name": "server", "status": "ok", "message": f"Ollama {version} answers at {base}"}
    try:
        names = [entry.get("name") for entry in Exchange("GET", f"{base}/api/tags", {}, timeout=OLLAMA_TIMEOUT_SECONDS).read_json().get("models", [])]
    except ProviderError as error:
        return _outcome([server, _failed("model", describe(error, config))], version)
    model = config.model_name
    if _installed(model, names):
        return _outcome([server, {"name": "model", "status": "ok", "message": f'the model "{model}" is installed'}], version)
    listed = f" (installed: {', '.join(names)})" if names else " (no models installed)"
    return _outcome([server, {
        "name": "model", "status": "error", "code": "model-not-found",
        "message": f'the model "{model}" is not installed in Ollama{listed}',
        "fix": f"Run `ollama pull {model}`, or choose an installed model.",
    }], version)


def check_cloud(config: LLMConfig, llm) -> dict:
    label = LABELS[config.provider]
    key_ok = {"name": "auth", "status": "ok", "message": f"the {label} API key is accepted"}
    try:
        llm.retrieve_model(CLOUD_TIMEOUT_SECONDS)
    except ProviderError as error:
        described = describe(error, config)
        if described["code"] == "model-not-found":
            return _outcome([key_ok, _failed("model", described)])
        return _outcome([_failed("auth" if described["code"] == "auth" else "server", described)])
    return _outcome([key_ok, {"name": "model", "status": "ok", "message": f'the model "{config.model_name}" is available'}])


def check_provider(config: LLMConfig, llm) -> dict:
    """{"ok", "serverVersion"?, "checks"}: the fields of the protocol's check-result."""
    return check_ollama(config) if config.provider == "ollama" else check_cloud(config, llm)
