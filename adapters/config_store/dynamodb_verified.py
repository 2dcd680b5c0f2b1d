"""Verified answers and expert requests in the config table (``KBOT_CONFIG_TABLE``).

``pk=VERIFIED sk=<answer id>`` and ``pk=EXPERTREQ sk=<request id>`` (+ ``notified: BOOL``, set once
with a conditional update so the asker is told once), JSON in ``data`` like every record.
"""

from __future__ import annotations

import json

from adapters.config_store.dynamodb_config import DynamoTable
from bot.errors import NotFoundError
from bot.verified.models import ExpertRequest, VerifiedAnswer

VERIFIED_PK = "VERIFIED"
REQUEST_PK = "EXPERTREQ"


class DynamoVerifiedRepository(DynamoTable):
    async def close(self) -> None:
        """Nothing to release (boto3 clients hold no per-store resources)."""

    async def list_verified(self) -> list[VerifiedAnswer]:
        return [VerifiedAnswer.from_dict(item) for item in await self._query(VERIFIED_PK)]

    async def get_verified(self, answer_id: str) -> VerifiedAnswer | None:
        data = await self._get(VERIFIED_PK, answer_id)
        return VerifiedAnswer.from_dict(data) if data else None

    async def save_verified(self, answer: VerifiedAnswer) -> None:
        await self._put(VERIFIED_PK, answer.id, answer.to_dict())

    async def remove_verified(self, answer_id: str) -> bool:
        found = await self._get(VERIFIED_PK, answer_id) is not None
        await self._delete(VERIFIED_PK, answer_id)
        return found

    async def save_expert_request(self, request: ExpertRequest) -> None:
        await self._put(REQUEST_PK, request.id, request.to_dict(), extra={"notified": {"BOOL": request.notified}})

    async def get_expert_request(self, request_id: str) -> ExpertRequest | None:
        resp = await self._call(
            "get_item",
            TableName=self.table,
            Key={"pk": {"S": REQUEST_PK}, "sk": {"S": request_id}},
            ConsistentRead=True,
        )
        item = resp.get("Item")
        if not item:
            return None
        request = ExpertRequest.from_dict(json.loads(item["data"]["S"]))
        request.notified = bool(item.get("notified", {}).get("BOOL"))
        return request

    async def claim_notification(self, request_id: str) -> bool:
        try:
            await self._client_update(request_id)
        except NotFoundError:  # the condition failed: already told (or no such request)
            return False
        return True

    async def _client_update(self, request_id: str) -> None:
        # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
        await self._call(
            "update_item",
            TableName=self.table,
            Key={"pk": {"S": REQUEST_PK}, "sk": {"S": request_id}},
            UpdateExpression="SET notified = :yes",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(notified) OR notified = :no)",
            ExpressionAttributeValues={":yes": {"BOOL": True}, ":no": {"BOOL": False}},
            missing="already notified",
        )
