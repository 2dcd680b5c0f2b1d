"""Which documents a Bedrock sink holds, with their content hashes (document id → hash).

Kept as one JSON object per source: in S3 (outside the document prefix, so the knowledge base
never ingests it) or in a local file for CUSTOM data sources without a bucket.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from adapters.bedrock.faults import translate


class Manifest(Protocol):
    async def load(self, source: str) -> dict[str, str]: ...

    async def save(self, source: str, hashes: dict[str, str]) -> None: ...


class S3Manifest:
    def __init__(self, s3: Any, bucket: str, prefix: str = "kbot-manifests/") -> None:
        self.s3, self.bucket, self.prefix = s3, bucket, prefix

    def _key(self, source: str) -> str:
        return f"{self.prefix}{quote(source, safe='')}.json"

    async def load(self, source: str) -> dict[str, str]:
        try:
            resp = await asyncio.to_thread(self.s3.get_object, Bucket=self.bucket, Key=self._key(source))
            body = await asyncio.to_thread(resp["Body"].read)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return {}
            raise translate(exc, "GetObject") from exc
        except BotoCoreError as exc:
            raise translate(exc, "GetObject") from exc
        return dict(json.loads(body))

    async def save(self, source: str, hashes: dict[str, str]) -> None:
        body = json.dumps(hashes, sort_keys=True).encode()
        try:
            await asyncio.to_thread(
                self.s3.put_object, Bucket=self.bucket, Key=self._key(source), Body=body,
                ContentType="application/json",
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "PutObject") from exc


class FileManifest:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, source: str) -> Path:
        return self.folder / f"{quote(source, safe='')}.json"

    async def load(self, source: str) -> dict[str, str]:
        path = self._path(source)
        return dict(json.loads(await asyncio.to_thread(path.read_text))) if await asyncio.to_thread(
            path.exists) else {}

    async def save(self, source: str, hashes: dict[str, str]) -> None:
        path = self._path(source)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(hashes, sort_keys=True))
            tmp.replace(path)

        await asyncio.to_thread(write)
