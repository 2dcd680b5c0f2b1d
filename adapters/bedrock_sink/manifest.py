"""Which documents a Bedrock sink holds, with their content hashes (document id → hash).

Kept as one JSON object per source: in S3 (outside the document prefix, so the knowledge base
never ingests it) or in a local file for CUSTOM data sources without a bucket. Next to it, a second
object holds the source's parse failures (document id → [hash, reason]), so a file that failed to
parse is not parsed again on every pass until it changes (``ingest.pipeline.FailureMemory``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from adapters.bedrock.faults import translate


class Manifest(Protocol):
    async def load(self, source: str) -> dict[str, str]: ...

    async def save(self, source: str, hashes: dict[str, str]) -> None: ...

    async def load_failures(self, source: str) -> dict[str, tuple[str, str]]: ...

    async def save_failures(self, source: str, failures: dict[str, tuple[str, str]]) -> None: ...


FAILURES = "+parse-failures"  # name suffix; quote(safe="") escapes "+", so no source name can collide


def _failures(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {doc_id: (str(pair[0]), str(pair[1])) for doc_id, pair in data.items()}


class S3Manifest:
    def __init__(self, s3: Any, bucket: str, prefix: str = "kbot-manifests/") -> None:
        self.s3, self.bucket, self.prefix = s3, bucket, prefix

    def _key(self, source: str, suffix: str = "") -> str:
        return f"{self.prefix}{quote(source, safe='')}{suffix}.json"

    async def load(self, source: str) -> dict[str, str]:
        return cast(dict[str, str], await self._get(self._key(source)))

    async def save(self, source: str, hashes: dict[str, str]) -> None:
        await self._put(self._key(source), hashes)

    async def load_failures(self, source: str) -> dict[str, tuple[str, str]]:
        return _failures(await self._get(self._key(source, FAILURES)))

    async def save_failures(self, source: str, failures: dict[str, tuple[str, str]]) -> None:
        await self._put(self._key(source, FAILURES), failures)

    async def _get(self, key: str) -> dict[str, Any]:
        try:
            resp = await asyncio.to_thread(self.s3.get_object, Bucket=self.bucket, Key=key)
            body = await asyncio.to_thread(resp["Body"].read)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return {}
            raise translate(exc, "GetObject") from exc
        except BotoCoreError as exc:
            raise translate(exc, "GetObject") from exc
        return dict(json.loads(body))

    async def _put(self, key: str, data: dict[str, Any]) -> None:
        body = json.dumps(data, sort_keys=True).encode()
        try:
            await asyncio.to_thread(
                self.s3.put_object, Bucket=self.bucket, Key=key, Body=body,
                ContentType="application/json",
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "PutObject") from exc


class FileManifest:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, source: str, suffix: str = "") -> Path:
        return self.folder / f"{quote(source, safe='')}{suffix}.json"

    async def load(self, source: str) -> dict[str, str]:
        return cast(dict[str, str], await self._read(self._path(source)))

    async def save(self, source: str, hashes: dict[str, str]) -> None:
        await self._write(self._path(source), hashes)

    async def load_failures(self, source: str) -> dict[str, tuple[str, str]]:
        return _failures(await self._read(self._path(source, FAILURES)))

    async def save_failures(self, source: str, failures: dict[str, tuple[str, str]]) -> None:
        await self._write(self._path(source, FAILURES), failures)

    async def _read(self, path: Path) -> dict[str, Any]:
        return dict(json.loads(await asyncio.to_thread(path.read_text))) if await asyncio.to_thread(
            path.exists) else {}

    async def _write(self, path: Path, data: dict[str, Any]) -> None:
        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(data, sort_keys=True))
            tmp.replace(path)

        await asyncio.to_thread(write)
