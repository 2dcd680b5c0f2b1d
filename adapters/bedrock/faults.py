"""Translate botocore faults into :mod:`bot.errors`: a detailed admin text, a short user message.

Called once retries are spent (see :mod:`.client` for which call kinds are retried on what), so
throttling and unavailability here are final.
"""

from __future__ import annotations

import logging

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from adapters.bedrock.health import HEALTH
from bot.errors import (
    AccessDeniedError,
    BackendError,
    BackendTimeout,
    ConfigError,
    KbotError,
    ModelNotFound,
    ThrottledError,
)

log = logging.getLogger("kbot.bedrock")

_THROTTLED = {"ThrottlingException", "TooManyRequestsException", "ServiceQuotaExceededException"}
_UNAVAILABLE = {
    "ServiceUnavailableException",
    "ModelTimeoutException",
    "ModelNotReadyException",
    "RequestTimeout",
}
_DENIED = {
    "AccessDeniedException",
    "UnrecognizedClientException",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationTokenException",
}
_MODEL_OPERATIONS = {"Converse", "ConverseStream"}
GENERATIONS = {"Converse", "ConverseStream", "RetrieveAndGenerate", "RetrieveAndGenerateStream", "InvokeAgent"}
TOOK_TOO_LONG = (
    "That took too long to answer, so I stopped waiting. Please try again, or ask a narrower question."
)


def translate(exc: BaseException, operation: str, model_id: str | None = None) -> KbotError:
    """The :mod:`bot.errors` error for ``exc`` (logged once here for admins)."""
    error = _classify(exc, operation, model_id)
    HEALTH.failed(error)
    log.error("%s", error, extra={"kb_operation": operation, "kb_error": type(error).__name__})
    return error


def _classify(exc: BaseException, operation: str, model_id: str | None) -> KbotError:
    if isinstance(exc, KbotError):
        return exc
    if isinstance(exc, ClientError):
        return _from_client_error(exc, operation, model_id)
    where = f"Bedrock {operation}"
    if isinstance(exc, ReadTimeoutError) and operation in GENERATIONS:
        return BackendTimeout(
            f"{where} timed out while generating (not re-sent: it may have run and been billed): {exc}",
            user_message=TOOK_TOO_LONG,
        )
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return BackendTimeout(f"{where} timed out after retries: {exc}")
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError):
        return BackendTimeout(f"{where}: endpoint unreachable after retries: {exc}")
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ConfigError(f"{where}: no usable AWS credentials (env, profile, role or instance role): {exc}")
    if isinstance(exc, NoRegionError | ProfileNotFound):
        return ConfigError(f"{where}: AWS configuration problem: {exc}")
    if isinstance(exc, ParamValidationError):
        return ConfigError(f"{where}: request rejected by the API model (check BEDROCK_* settings): {exc}")
    if isinstance(exc, BotoCoreError):
        return BackendError(f"{where} failed: {exc}")
    return BackendError(f"{where} failed unexpectedly: {type(exc).__name__}: {exc}")


def _from_client_error(exc: ClientError, operation: str, model_id: str | None) -> KbotError:
    err = exc.response.get("Error", {})
    raw_code = str(err.get("Code") or "")
    code = raw_code[:1].upper() + raw_code[1:]  # event-stream faults arrive as "throttlingException"
    message = str(err.get("Message") or "")
    detail = f"Bedrock {operation} failed: {code}: {message}".rstrip(": ")
    lowered = message.lower()
    if code == "ServiceQuotaExceededException":
        return ThrottledError(f"{detail} (a service quota is exhausted; not retried: consider a quota increase)")
    if code in _THROTTLED:
        return ThrottledError(f"{detail} (still throttled after retries; consider a quota increase)")
    if code == "ModelTimeoutException":
        return BackendTimeout(f"{detail} (the model took too long; not retried)", user_message=TOOK_TOO_LONG)
    if code in _UNAVAILABLE:
        return BackendTimeout(f"{detail} (after retries)")
    if code in _DENIED:
        return AccessDeniedError(
            f"{detail} (the IAM role needs bedrock:{operation} on the model/knowledge base/agent, and the "
            f"model must be enabled in Bedrock model access)"
        )
    model_hint = f" (model {model_id!r}; check BEDROCK_MODEL_ID / BEDROCK_FAST_MODEL_ID)" if model_id else ""
    if "guardrail" in lowered and code in {"ResourceNotFoundException", "ValidationException"}:
        return ConfigError(f"{detail} (check BEDROCK_GUARDRAIL_ID / BEDROCK_GUARDRAIL_VERSION)")
    if code == "ResourceNotFoundException":
        if operation in _MODEL_OPERATIONS or "model" in lowered:
            return ModelNotFound(detail + model_hint)
        return ConfigError(f"{detail} (check BEDROCK_KNOWLEDGE_BASE_ID / BEDROCK_AGENT_ID / alias)")
    if code == "ValidationException":
        if "model identifier" in lowered or "model id" in lowered:
            return ModelNotFound(detail + model_hint)
        return ConfigError(f"{detail} (request rejected; check the BEDROCK_* settings)")
    return BackendError(detail)
