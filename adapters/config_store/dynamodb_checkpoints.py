"""Connector checkpoints in the config table (``KBOT_CONFIG_TABLE``): ``pk=CHECKPOINT``, ``sk=<source>``.

On AWS the ingest worker is a short-lived Fargate task, so checkpoints kept in its local SQLite file
would vanish after each run and every scheduled sync would be a full re-sync. The checkpoint is JSON
in the ``data`` attribute, like every other record of the table (:mod:`.dynamodb_config`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from adapters.config_store.dynamodb_config import DynamoTable
from bot.errors import StoreError

CHECKPOINT_PK = "CHECKPOINT"
# DynamoDB items are at most 400 KB (names + values); leave room for the keys and attributes.
MAX_CHECKPOINT_BYTES = 350 * 1024


class DynamoCheckpointStore(DynamoTable):
    """:class:`bot.ports.CheckpointStore` on the config table (client built as in ``DynamoTable``)."""

    async def close(self) -> None:
        """Nothing to release (boto3 clients hold no per-store resources); mirrors the SQLite store."""

    async def load_checkpoint(self, source: str) -> dict | None:
        return await self._get(CHECKPOINT_PK, source)

    async def save_checkpoint(self, source: str, checkpoint: dict | None) -> None:
        if checkpoint is None:
            await self._delete(CHECKPOINT_PK, source)
            return
        encoded = json.dumps(checkpoint, sort_keys=True)
        size = len(encoded.encode("utf-8"))
        if size > MAX_CHECKPOINT_BYTES:
            raise StoreError(
                f"checkpoint for source '{source}' is {size // 1024} KB as JSON, over the "
                f"{MAX_CHECKPOINT_BYTES // 1024} KB that fits in a DynamoDB item of table {self.table}",
                user_message="A sync checkpoint is too large to store; see the worker log.",
            )
        item = {
            "pk": {"S": CHECKPOINT_PK},
            "sk": {"S": source},
            "data": {"S": encoded},
            "updated": {"S": datetime.now(UTC).isoformat()},
        }
        await self._call("put_item", TableName=self.table, Item=item)
