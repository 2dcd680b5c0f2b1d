"""``ingest.interfaces.PendingIngests`` in the config table: ``pk=INGEST_PENDING``,
``sk=<data source id>#<source>``, the mark's token in ``data``.

On AWS every per-source sync is its own Fargate task and the ingestion job runs in another one after
the Step Functions Map (infra/stacks/ingest.py), so the marks must outlive the task that set them.
"""

from __future__ import annotations

from adapters.config_store.dynamodb_config import DynamoTable
from adapters.store.pending_ingest import new_token
from bot.errors import NotFoundError

PENDING_PK = "INGEST_PENDING"


class DynamoPendingIngests(DynamoTable):
    async def mark(self, data_source: str, source: str) -> None:
        await self._put(PENDING_PK, f"{data_source}#{source}", {"source": source, "token": new_token()})

    async def pending(self, data_source: str) -> dict[str, str]:
        rows = await self._query(PENDING_PK)
        prefix = f"{data_source}#"
        return {row["source"]: row["token"] for row in rows if str(row["sk"]).startswith(prefix)}

    async def clear(self, data_source: str, marks: dict[str, str]) -> None:
        for source, token in marks.items():
            try:  # only the mark that was read: one set again since then stays for the next job
                await self._call(
                    "delete_item",
                    missing=f"{data_source}#{source}",
                    TableName=self.table,
                    Key={"pk": {"S": PENDING_PK}, "sk": {"S": f"{data_source}#{source}"}},
                    ConditionExpression="contains(#d, :token)",
                    ExpressionAttributeNames={"#d": "data"},
                    ExpressionAttributeValues={":token": {"S": token}},
                )
            except NotFoundError:
                continue
