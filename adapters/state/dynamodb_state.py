"""Conversation state in DynamoDB (``KBOT_STATE_TABLE``, else the config table ``KBOT_CONFIG_TABLE``).

One item per key: ``pk = STATE#<key>``, ``sk = STATE``, with ``expires_at`` (epoch seconds) as the
table's native TTL attribute (infra enables it). DynamoDB deletes expired items lazily (up to days
later), so every read also checks ``expires_at``. Claims are conditional puts; turns use an
optimistic ``version`` check; counters an atomic ``ADD``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from adapters.config_store.dynamodb_config import DynamoTable, _translate
from bot.errors import BackendError, NotFoundError
from bot.models import Turn
from bot.state import AnswerRecord

SK = "STATE"
TTL_ATTRIBUTE = "expires_at"
_CONDITION_FAILED = "ConditionalCheckFailedException"
# Every Slack event is claimed before it is acked: a burst must not queue behind asyncio's few
# default worker threads (or botocore's 10 pooled connections).
MAX_CONCURRENT_CALLS = 32
_WORKERS = ThreadPoolExecutor(MAX_CONCURRENT_CALLS, thread_name_prefix="kbot-state")


def _key(key: str) -> dict[str, Any]:
    return {"pk": {"S": f"STATE#{key}"}, "sk": {"S": SK}}


def _n(value: float) -> dict[str, str]:
    return {"N": str(int(value)) if float(value).is_integer() else repr(float(value))}


class DynamoConversationState(DynamoTable):
    def __init__(
        self,
        table: str,
        *,
        client: Any | None = None,
        region: str | None = None,
        profile: str | None = None,
        max_attempts: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if client is None:
            session = boto3.session.Session(region_name=region, profile_name=profile)
            client = session.client(
                "dynamodb",
                config=Config(
                    retries={"mode": "adaptive", "max_attempts": max_attempts},
                    max_pool_connections=MAX_CONCURRENT_CALLS,
                    connect_timeout=3,
                    read_timeout=5,
                ),
            )
        super().__init__(table, client=client)
        self._clock = clock

    async def _call(self, operation: str, *, missing: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """As the config table's, on this store's own worker threads."""
        method: Callable[..., dict[str, Any]] = getattr(self._client, operation)
        try:
            return await asyncio.get_running_loop().run_in_executor(_WORKERS, partial(method, **kwargs))
        except ClientError as exc:
            if missing and exc.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                raise NotFoundError(missing) from None
            raise _translate(self.table, exc) from exc
        except BotoCoreError as exc:
            raise _translate(self.table, exc) from exc

    async def ensure_table(self) -> None:
        """Create the table (local runs, tests) and switch its TTL on; the CDK stack does both on AWS."""
        await super().ensure_table()
        try:
            await self._call(
                "update_time_to_live",
                TableName=self.table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )
        except BackendError:
            pass  # already on

    async def _conditional(self, operation: str, **kwargs: Any) -> bool:
        """Run a conditional write; False when its condition did not hold."""
        try:
            await self._call(operation, TableName=self.table, missing="condition", **kwargs)
        except NotFoundError:
            return False
        return True

    async def _item(self, key: str) -> dict[str, Any] | None:
        """The live (unexpired) item, read consistently."""
        got = await self._call("get_item", TableName=self.table, Key=_key(key), ConsistentRead=True)
        item = got.get("Item")
        if not item or float(item.get(TTL_ATTRIBUTE, {}).get("N", "0")) < self._clock():
            return None
        return dict(item)

    # --- claims --------------------------------------------------------------------------------
    async def claim(self, key: str, owner: str, *, lease_seconds: float, ttl_seconds: float) -> bool:
        now = self._clock()
        return await self._conditional(
            "put_item",
            Item={
                **_key(key),
                "owner": {"S": owner},
                "done": {"BOOL": False},
                "lease_until": _n(now + lease_seconds),
                TTL_ATTRIBUTE: _n(now + ttl_seconds),
            },
            ConditionExpression="attribute_not_exists(pk) OR #exp < :now OR (done = :no AND lease_until < :now)",
            ExpressionAttributeNames={"#exp": TTL_ATTRIBUTE},
            ExpressionAttributeValues={":now": _n(now), ":no": {"BOOL": False}},
        )

    async def renew(self, key: str, owner: str, *, lease_seconds: float) -> bool:
        return await self._conditional(
            "update_item",
            Key=_key(key),
            UpdateExpression="SET lease_until = :lease",
            ConditionExpression="#owner = :owner AND done = :no",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={
                ":lease": _n(self._clock() + lease_seconds),
                ":owner": {"S": owner},
                ":no": {"BOOL": False},
            },
        )

    async def complete(self, key: str, owner: str) -> None:
        await self._conditional(
            "update_item",
            Key=_key(key),
            UpdateExpression="SET done = :yes",
            ConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":yes": {"BOOL": True}, ":owner": {"S": owner}},
        )

    # --- key/value items -----------------------------------------------------------------------
    async def _read(self, key: str) -> Any | None:
        item = await self._item(key)
        return json.loads(item["data"]["S"]) if item and "data" in item else None

    async def _write(self, key: str, value: Any, ttl_seconds: float) -> None:
        item = {**_key(key), "data": {"S": json.dumps(value)}, TTL_ATTRIBUTE: _n(self._clock() + ttl_seconds)}
        await self._call("put_item", TableName=self.table, Item=item)

    async def _remove(self, key: str) -> None:
        await self._call("delete_item", TableName=self.table, Key=_key(key))

    # --- turns ---------------------------------------------------------------------------------
    async def turns(self, thread: str) -> list[Turn]:
        stored = await self._read(f"turns:{thread}") or []
        return [Turn(t["role"], t["text"]) for t in stored]

    async def add_turns(self, thread: str, turns: Sequence[Turn], *, max_turns: int, ttl_seconds: float) -> None:
        key = f"turns:{thread}"
        new = [{"role": t.role, "text": t.text} for t in turns]
        for _ in range(8):  # optimistic concurrency: re-read when another replica wrote in between
            item = await self._item(key)
            version = int(item["version"]["N"]) if item and "version" in item else 0
            kept = (json.loads(item["data"]["S"]) if item else []) + new
            written = await self._conditional(
                "put_item",
                Item={
                    **_key(key),
                    "data": {"S": json.dumps(kept[-max_turns:] if max_turns > 0 else [])},
                    "version": _n(version + 1),
                    TTL_ATTRIBUTE: _n(self._clock() + ttl_seconds),
                },
                ConditionExpression="attribute_not_exists(pk) OR attribute_not_exists(version) OR version = :v",
                ExpressionAttributeValues={":v": _n(version)},
            )
            if written:
                return
        raise BackendError(f"DynamoDB: too many concurrent writes to conversation {thread}")

    async def forget_turns(self, thread: str) -> None:
        await self._remove(f"turns:{thread}")

    # --- answers and sessions --------------------------------------------------------------------
    async def put_answer(self, record_id: str, record: AnswerRecord, *, ttl_seconds: float) -> None:
        await self._write(f"answer:{record_id}", record.to_json(), ttl_seconds)

    async def get_answer(self, record_id: str) -> AnswerRecord | None:
        found = await self._read(f"answer:{record_id}")
        return AnswerRecord.from_json(found) if isinstance(found, dict) else None

    async def session_id(self, thread: str) -> str | None:
        found = await self._read(f"session:{thread}")
        return found if isinstance(found, str) else None

    async def put_session_id(self, thread: str, session_id: str, *, ttl_seconds: float) -> None:
        await self._write(f"session:{thread}", session_id, ttl_seconds)

    async def forget_session_id(self, thread: str) -> None:
        await self._remove(f"session:{thread}")

    # --- counters --------------------------------------------------------------------------------
    async def bump(self, key: str, *, ttl_seconds: float) -> int:
        for _ in range(8):
            now = self._clock()
            try:
                got = await self._call(
                    "update_item",
                    TableName=self.table,
                    Key=_key(key),
                    UpdateExpression="ADD #count :one SET #exp = if_not_exists(#exp, :exp)",
                    ConditionExpression="attribute_not_exists(pk) OR #exp >= :now",
                    ExpressionAttributeNames={"#count": "count", "#exp": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":one": _n(1), ":exp": _n(now + ttl_seconds), ":now": _n(now)},
                    ReturnValues="UPDATED_NEW",
                    missing="expired",
                )
                return int(got["Attributes"]["count"]["N"])
            except NotFoundError:  # an expired counter TTL has not deleted yet: start it again
                await self._conditional(
                    "put_item",
                    Item={**_key(key), "count": _n(0), TTL_ATTRIBUTE: _n(now + ttl_seconds)},
                    ConditionExpression="#exp < :now",
                    ExpressionAttributeNames={"#exp": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":now": _n(now)},
                )
        raise BackendError(f"DynamoDB: counter {key} kept expiring under us")
