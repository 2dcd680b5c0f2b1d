"""moto's DynamoDB checks a write's condition and then writes, with no lock: two threads racing on one
key can both pass. Real DynamoDB evaluates a condition and applies the write atomically
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html),
which the claims rely on; this makes the fake do the same by serialising its writes."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
_LOCK = threading.RLock()


def _locked(method: Any) -> Any:
    @functools.wraps(method)
    def write(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return write


@contextmanager
def atomic_moto_writes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in _WRITES:
            patch.setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
        yield
