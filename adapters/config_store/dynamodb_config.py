"""Configuration state in one DynamoDB table (``KBOT_CONFIG_TABLE``), single-table design.

Key schema: ``pk`` (S, hash) + ``sk`` (S, range); each record's body is JSON in ``data``::

    pk=SOURCE   sk=<name>  (+ enabled: BOOL)     pk=CHANNEL  sk=<platform>#<channel id>
    pk=STATUS   sk=<name>                       pk=ADMIN    sk=<user>
    pk=AUDIT    sk=<iso time>#<uuid>  (put-if-absent, never updated or deleted)
    pk=FEEDBACK sk=<iso time>#<uuid>            pk=SYNC     sk=<request id>
    pk=CHECKPOINT sk=<source name>  (connector checkpoints; see dynamodb_checkpoints.py)

boto3 is synchronous, so every call runs via :func:`asyncio.to_thread`; botocore retries
throttling with adaptive backoff and its errors are translated into :mod:`bot.errors`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from adapters.config_store import codec
from bot.admin.models import AdminEntry, AuditEntry, ChannelSettings, SyncRequest
from bot.errors import AccessDeniedError, BackendError, ConfigError, NotFoundError, ThrottledError
from bot.models import Feedback, Source, SourceStatus

T = TypeVar("T")
_MAX_PAGES = 1000


def _translate(table: str, exc: Exception) -> Exception:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return ConfigError(f"DynamoDB table {table} does not exist (KBOT_CONFIG_TABLE)")
        if code in ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"):
            return ThrottledError(f"DynamoDB table {table} is throttling requests")
        if code in ("AccessDeniedException", "UnrecognizedClientException"):
            return AccessDeniedError(f"no permission to use DynamoDB table {table}: {code}")
        return BackendError(f"DynamoDB {code} on {table}")
    return BackendError(f"DynamoDB unreachable for {table}: {type(exc).__name__}")


class DynamoTable:
    """The config table's client and key/value primitives, shared by the repositories on it."""

    def __init__(
        self,
        table: str,
        *,
        client: Any | None = None,
        region: str | None = None,
        profile: str | None = None,
        max_attempts: int = 4,
    ) -> None:
        self.table = table
        if client is None:
            session = boto3.session.Session(region_name=region, profile_name=profile)
            client = session.client(
                "dynamodb", config=Config(retries={"mode": "adaptive", "max_attempts": max_attempts})
            )
        self._client = client

    async def _call(self, operation: str, *, missing: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Run one boto3 call; with ``missing``, a failed condition raises NotFoundError(missing)."""
        method: Callable[..., dict[str, Any]] = getattr(self._client, operation)
        try:
            return await asyncio.to_thread(method, **kwargs)
        except ClientError as exc:
            if missing and exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise NotFoundError(missing) from None
            raise _translate(self.table, exc) from exc
        except BotoCoreError as exc:
            raise _translate(self.table, exc) from exc

    async def ensure_table(self) -> None:
        """Create the table if missing (local runs and tests; on AWS the CDK stack creates it)."""
        try:
            await self._call("describe_table", TableName=self.table)
            return
        except ConfigError:
            pass
        await self._call(
            "create_table",
            TableName=self.table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )

    # --- primitives ----------------------------------------------------------------------------
    async def _put(
        self,
        pk: str,
        sk: str,
        data: dict[str, Any],
        *,
        new_only: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if new_only:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
        item = {"pk": {"S": pk}, "sk": {"S": sk}, "data": {"S": json.dumps(data)}, **(extra or {})}
        await self._call("put_item", TableName=self.table, Item=item, **kwargs)

    async def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        resp = await self._call(
            "get_item", TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
        )
        item = resp.get("Item")
        return json.loads(item["data"]["S"]) if item else None

    async def _delete(self, pk: str, sk: str) -> None:
        await self._call("delete_item", TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}})

    async def _query(self, pk: str, *, newest_first: bool = False, limit: int | None = None) -> list[dict]:
        out: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": not newest_first,
            "ConsistentRead": True,
        }
        for _ in range(_MAX_PAGES):
            if limit is not None:
                kwargs["Limit"] = limit - len(out)
            resp = await self._call("query", **kwargs)
            out += [{"sk": i["sk"]["S"], **json.loads(i["data"]["S"])} for i in resp.get("Items", [])]
            if "LastEvaluatedKey" not in resp or (limit is not None and len(out) >= limit):
                break
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        return out


class DynamoConfigRepository(DynamoTable):
    """Sources, status, channels, admins, audit, sync requests and feedback."""

    # --- sources and status ------------------------------------------------------------------
    async def list_sources(self) -> list[Source]:
        return [codec.source_from_dict(d) for d in await self._query("SOURCE")]

    async def get_source(self, name: str) -> Source:
        data = await self._get("SOURCE", name)
        if data is None:
            raise NotFoundError(f"no source named '{name}'")
        return codec.source_from_dict(data)

    async def save_source(self, source: Source) -> None:
        # ``enabled`` is also a top-level attribute: the ingest state machine filters on it.
        extra = {"enabled": {"BOOL": source.enabled}}
        await self._put("SOURCE", source.name, codec.source_to_dict(source), extra=extra)

    async def remove_source(self, name: str) -> None:
        await self._call(
            "delete_item",
            TableName=self.table,
            Key={"pk": {"S": "SOURCE"}, "sk": {"S": name}},
            ConditionExpression="attribute_exists(pk)",
            missing=f"no source named '{name}'",
        )
        await self._delete("STATUS", name)
        await self._delete("CHECKPOINT", name)  # a re-added source starts with a full sync
        for request in await self.pending_sync_requests():
            if request.source == name:
                await self.complete_sync_request(request.id)

    async def get_status(self, name: str) -> SourceStatus:
        data = await self._get("STATUS", name)
        return codec.status_from_dict(data) if data else SourceStatus(source=name)

    async def save_status(self, status: SourceStatus) -> None:
        await self._put("STATUS", status.source, codec.status_to_dict(status))

    # --- channels ------------------------------------------------------------------------------
    async def get_channel(self, platform: str, channel_id: str) -> ChannelSettings | None:
        data = await self._get("CHANNEL", f"{platform}#{channel_id}")
        return codec.channel_from_dict(data) if data else None

    async def save_channel(self, settings: ChannelSettings) -> None:
        await self._put("CHANNEL", f"{settings.platform}#{settings.channel_id}", codec.channel_to_dict(settings))

    async def list_channels(self) -> list[ChannelSettings]:
        return [codec.channel_from_dict(d) for d in await self._query("CHANNEL")]

    # --- admins ---------------------------------------------------------------------------------
    async def list_admins(self) -> list[AdminEntry]:
        return [codec.admin_from_row(d["sk"], d["added_by"], d.get("added")) for d in await self._query("ADMIN")]

    async def add_admin(self, entry: AdminEntry) -> None:
        added = codec.ts(entry.added or codec.now())
        await self._put("ADMIN", entry.user.lower(), {"added_by": entry.added_by, "added": added})

    async def remove_admin(self, user: str) -> None:
        await self._delete("ADMIN", user.lower())

    # --- audit ----------------------------------------------------------------------------------
    async def append_audit(self, entry: AuditEntry) -> None:
        at = codec.ts(entry.at or codec.now())
        data = {
            "actor": entry.actor,
            "action": entry.action,
            "target": entry.target,
            "outcome": entry.outcome,
            "detail": entry.detail,
            "at": at,
        }
        await self._put("AUDIT", f"{at}#{uuid.uuid4().hex}", data, new_only=True)

    async def list_audit(self, limit: int = 50) -> list[AuditEntry]:
        rows = await self._query("AUDIT", newest_first=True, limit=limit)
        return [
            codec.audit_from_row(d["actor"], d["action"], d["target"], d["outcome"], d["detail"], d["at"]) for d in rows
        ]

    # --- sync requests ------------------------------------------------------------------------
    async def add_sync_request(self, request: SyncRequest) -> None:
        data = {
            "source": request.source,
            "requested_by": request.requested_by,
            "at": codec.ts(request.at or codec.now()),
        }
        await self._put("SYNC", request.id or uuid.uuid4().hex, data)

    async def pending_sync_requests(self) -> list[SyncRequest]:
        rows = await self._query("SYNC")
        requests = [codec.sync_from_row(d["sk"], d["source"], d["requested_by"], d["at"]) for d in rows]
        return sorted(requests, key=lambda r: codec.ts(r.at) or "")

    async def complete_sync_request(self, request_id: str) -> None:
        await self._delete("SYNC", request_id)

    # --- feedback -------------------------------------------------------------------------------
    async def record_feedback(self, feedback: Feedback) -> None:
        data = codec.feedback_to_dict(feedback)
        await self._put("FEEDBACK", f"{data['created']}#{uuid.uuid4().hex}", data, new_only=True)

    async def list_feedback(self, limit: int = 50) -> list[Feedback]:
        rows = await self._query("FEEDBACK", newest_first=True, limit=limit)
        return [codec.feedback_from_dict({k: v for k, v in d.items() if k != "sk"}) for d in rows]
