"""The kbot error tree.

Every error that reaches a person derives from :class:`KbotError`. Vendor exceptions
(botocore, aiohttp, sqlite3, slack_sdk ...) are translated into these at the adapter
boundary, so the core and the front ends only ever handle this small tree::

    KbotError
    ├── ConfigError            settings missing or invalid (admin-facing)
    ├── InputError             bad user input: unsupported file, empty thread, bad JSON ...
    │   └── UnsupportedFileType
    ├── NotFoundError          unknown source, document, path
    ├── PermissionDenied       the caller may not do this (admin commands)
    ├── StoreError             the local store cannot be used
    │   └── StoreLocked        another process holds the write lock
    ├── BackendError           a remote backend failed (after retries)
    │   ├── ThrottledError     rate limited (429, ThrottlingException)
    │   ├── BackendTimeout     timed out / service unavailable
    │   ├── AccessDeniedError  credentials lack permission (admin-facing)
    │   ├── ModelNotFound      unknown or unavailable model id
    │   └── GuardrailIntervened content blocked by a guardrail (user sees a polite message)
    └── ConnectorError         a knowledge source could not be read as a whole

``user_message`` is the short text shown in chat; ``str(err)`` is the detailed admin text.
"""

from __future__ import annotations


class KbotError(Exception):
    user_message = "Sorry, something went wrong. Please try again later."

    def __init__(self, message: str = "", *, user_message: str | None = None) -> None:
        super().__init__(message or self.user_message)
        if user_message is not None:
            self.user_message = user_message


class ConfigError(KbotError):
    user_message = "The bot is not configured correctly. An admin has been told."


class InputError(KbotError):
    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message, user_message=user_message or message)


class UnsupportedFileType(InputError):
    pass


class NotFoundError(KbotError):
    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message, user_message=user_message or message)


class PermissionDenied(KbotError):
    user_message = "Sorry, only kbot admins can do that."


class StoreError(KbotError):
    user_message = "The knowledge store is unavailable right now."


class StoreLocked(StoreError):
    user_message = "The knowledge store is busy (another process is writing). Try again in a moment."


class BackendError(KbotError):
    user_message = "The answering service is unavailable right now. Please try again in a minute."


class ThrottledError(BackendError):
    user_message = "The bot is busy right now (rate limited). Please try again in a minute."


class BackendTimeout(BackendError):
    user_message = "The answering service timed out. Please try again."


class AccessDeniedError(BackendError):
    user_message = "The bot is not allowed to use its backend. An admin has been told."


class ModelNotFound(BackendError):
    user_message = "The bot's model is not available. An admin has been told."


class GuardrailIntervened(BackendError):
    user_message = "Sorry, I can't help with that request. It was blocked by the company's content policy."


class ConnectorError(KbotError):
    user_message = "A knowledge source could not be read."
