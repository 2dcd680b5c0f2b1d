"""An in-process bedrock-agent control plane (the boto3 client's method names) for sink and job tests.

Requests and responses are validated against botocore's bedrock-agent model; faults are real
``botocore.exceptions.ClientError``. Beyond the model, it enforces the documented service rules
below (each with its source), and it "crawls" an S3 data source from a real (moto) bucket, so what
the sink stages is what the fake indexes.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import ParamValidator

# Rule: one ingestion job per data source at a time; StartIngestionJob while one is STARTING,
# IN_PROGRESS or STOPPING fails with ConflictException (HTTP 409).
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_StartIngestionJob.html (Errors)
# https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html ("Concurrent ingestion jobs per data source": 1)
RUNNING = {"STARTING", "IN_PROGRESS", "STOPPING"}

# Rule: S3 Vectors stores at most 2 KB of filterable metadata per vector; keys declared
# non-filterable on the index do not count. A document over the limit fails to ingest.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html
FILTERABLE_LIMIT = 2048

# Rule: an S3 data source crawls every object of the bucket unless ``inclusionPrefixes`` limits it.
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_S3DataSourceConfiguration.html

# Rule: IngestKnowledgeBaseDocuments is asynchronous: it answers STARTING/IN_PROGRESS and the final
# status (with statusReason) is read with GetKnowledgeBaseDocuments.
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_IngestKnowledgeBaseDocuments.html
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_GetKnowledgeBaseDocuments.html

_MODEL = botocore.session.get_session().get_service_model("bedrock-agent")
_VALIDATOR = ParamValidator()


def _now() -> datetime:
    return datetime.now(UTC)


def filterable_size(metadata: dict[str, Any], non_filterable: set[str]) -> int:
    """Bytes of filterable metadata: UTF-8 key names and values (each item of a list)."""
    total = 0
    for key, value in metadata.items():
        if key in non_filterable:
            continue
        items = value if isinstance(value, list) else [value]
        total += len(key.encode()) + sum(len(str(i).encode()) for i in items)
    return total


def _sidecar_values(sidecar: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, entry in (sidecar.get("metadataAttributes") or {}).items():
        value = entry.get("value", entry)
        out[key] = value.get("stringListValue") or value.get("stringValue") or value.get("numberValue")
    return out


class FakeBedrockAgent:
    def __init__(
        self,
        *,
        s3: Any = None,
        bucket: str | None = None,
        inclusion_prefixes: list[str] | None = None,
        non_filterable: tuple[str, ...] = ("AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"),
        polls_to_finish: int = 2,
    ) -> None:
        self.s3, self.bucket = s3, bucket
        self.inclusion_prefixes = inclusion_prefixes
        self.non_filterable = set(non_filterable)
        self.polls_to_finish = polls_to_finish
        self.jobs: list[dict[str, Any]] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.documents: dict[str, dict[str, Any]] = {}  # identifier (s3 uri or custom id) -> detail
        self.fail_next_job: str | None = None

    # --- plumbing ----------------------------------------------------------------------------
    def _op(self, name: str, params: dict[str, Any]) -> Any:
        op = _MODEL.operation_model(name)
        report = _VALIDATOR.validate(params, op.input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
        self.requests.append((name, params))
        return op

    def _reply(self, op: Any, body: dict[str, Any]) -> dict[str, Any]:
        report = _VALIDATOR.validate(body, op.output_shape)
        assert not report.has_errors(), f"{op.name}: fake reply invalid: {report.generate_report()}"
        return body

    @staticmethod
    def _fault(operation: str, code: str, message: str, status: int) -> ClientError:
        return ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
            operation,
        )

    def calls(self, name: str) -> list[dict[str, Any]]:
        return [p for n, p in self.requests if n == name]

    # --- ingestion jobs ------------------------------------------------------------------------
    def _public(self, job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if not k.startswith("_")}

    def start_ingestion_job(self, **params: Any) -> dict[str, Any]:
        op = self._op("StartIngestionJob", params)
        kb, ds = params["knowledgeBaseId"], params["dataSourceId"]
        if any(j["dataSourceId"] == ds and j["status"] in RUNNING for j in self.jobs):
            raise self._fault(
                "StartIngestionJob",
                "ConflictException",
                f"An ingestion job is already running for data source {ds}.",
                409,
            )
        job = {
            "knowledgeBaseId": kb,
            "dataSourceId": ds,
            "ingestionJobId": uuid.uuid4().hex[:10].upper(),
            "description": params.get("description", "job"),
            "status": "STARTING",
            "startedAt": _now(),
            "updatedAt": _now(),
            "_polls": 0,
        }
        self.jobs.append(job)
        return self._reply(op, {"ingestionJob": self._public(job)})

    def get_ingestion_job(self, **params: Any) -> dict[str, Any]:
        op = self._op("GetIngestionJob", params)
        job = next(j for j in self.jobs if j["ingestionJobId"] == params["ingestionJobId"])
        if job["status"] in RUNNING:
            job["_polls"] += 1
            job["status"] = "IN_PROGRESS"
            if job["_polls"] >= self.polls_to_finish:
                self._finish(job)
        return self._reply(op, {"ingestionJob": self._public(job)})

    def list_ingestion_jobs(self, **params: Any) -> dict[str, Any]:
        op = self._op("ListIngestionJobs", params)
        wanted = {v for f in params.get("filters") or [] for v in f["values"]}
        jobs = [
            j
            for j in self.jobs
            if j["dataSourceId"] == params["dataSourceId"] and (not wanted or j["status"] in wanted)
        ]
        jobs.sort(key=lambda j: j["startedAt"], reverse=True)
        keys = ("knowledgeBaseId", "dataSourceId", "ingestionJobId", "status", "startedAt", "updatedAt")
        return self._reply(op, {"ingestionJobSummaries": [{k: j[k] for k in keys} for j in jobs]})

    def _finish(self, job: dict[str, Any]) -> None:
        if self.fail_next_job:
            job.update(status="FAILED", failureReasons=[self.fail_next_job])
            self.fail_next_job = None
            return
        scanned, indexed, failed = 0, 0, 0
        for key in self._crawl():
            scanned += 1
            uri = f"s3://{self.bucket}/{key}"
            reason = self._metadata_problem(key)
            status = "FAILED" if reason else "INDEXED"
            failed += bool(reason)
            indexed += not reason
            self.documents[uri] = {"status": status, "statusReason": reason, "_key": key}
        job.update(
            status="COMPLETE",
            updatedAt=_now(),
            statistics={
                "numberOfDocumentsScanned": scanned,
                "numberOfNewDocumentsIndexed": indexed,
                "numberOfDocumentsFailed": failed,
            },
        )

    def _crawl(self) -> list[str]:
        if self.s3 is None:
            return []
        keys = [
            o["Key"]
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
            for o in page.get("Contents", [])
        ]
        keys = [k for k in keys if not k.endswith(".metadata.json")]
        if self.inclusion_prefixes:
            keys = [k for k in keys if k.startswith(tuple(self.inclusion_prefixes))]
        return keys

    def _metadata_problem(self, key: str) -> str | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=f"{key}.metadata.json")["Body"].read()
        except ClientError:
            return None
        return self._too_large(_sidecar_values(json.loads(body)))

    def _too_large(self, metadata: dict[str, Any]) -> str | None:
        size = filterable_size(metadata, self.non_filterable)
        if size > FILTERABLE_LIMIT:
            return f"Filterable metadata size {size} bytes exceeds the {FILTERABLE_LIMIT} byte limit"
        return None

    def indexed_keys(self) -> set[str]:
        return {d["_key"] for d in self.documents.values() if d["status"] == "INDEXED" and "_key" in d}

    # --- documents -----------------------------------------------------------------------------
    def _detail(self, params: dict[str, Any], ident: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
        detail = {
            "knowledgeBaseId": params["knowledgeBaseId"],
            "dataSourceId": params["dataSourceId"],
            "status": doc["status"],
            "identifier": ident,
            "updatedAt": _now(),
        }
        if doc.get("statusReason"):
            detail["statusReason"] = doc["statusReason"]
        return detail

    def list_knowledge_base_documents(self, **params: Any) -> dict[str, Any]:
        op = self._op("ListKnowledgeBaseDocuments", params)
        details = [
            self._detail(params, {"dataSourceType": "S3", "s3": {"uri": uri}}, doc)
            for uri, doc in self.documents.items()
            if uri.startswith("s3://")
        ]
        return self._reply(op, {"documentDetails": details})

    def ingest_knowledge_base_documents(self, **params: Any) -> dict[str, Any]:
        op = self._op("IngestKnowledgeBaseDocuments", params)
        details = []
        for document in params["documents"]:
            ident = document["content"]["custom"]["customDocumentIdentifier"]["id"]
            attrs = {
                a["key"]: a["value"].get("stringListValue") or a["value"].get("stringValue")
                for a in document.get("metadata", {}).get("inlineAttributes", [])
            }
            self.documents[ident] = {"status": "IN_PROGRESS", "_final": self._too_large(attrs)}
            details.append(
                self._detail(params, {"dataSourceType": "CUSTOM", "custom": {"id": ident}}, {"status": "STARTING"})
            )
        return self._reply(op, {"documentDetails": details})

    def get_knowledge_base_documents(self, **params: Any) -> dict[str, Any]:
        op = self._op("GetKnowledgeBaseDocuments", params)
        details = []
        for ident in params["documentIdentifiers"]:
            key = ident["custom"]["id"]
            doc = self.documents.get(key, {"status": "NOT_FOUND"})
            if doc["status"] == "IN_PROGRESS":  # indexed by the time it is asked again
                reason = doc.pop("_final", None)
                doc.update(status="FAILED" if reason else "INDEXED", statusReason=reason)
            details.append(self._detail(params, ident, doc))
        return self._reply(op, {"documentDetails": details})

    def delete_knowledge_base_documents(self, **params: Any) -> dict[str, Any]:
        op = self._op("DeleteKnowledgeBaseDocuments", params)
        details = []
        for ident in params["documentIdentifiers"]:
            self.documents.pop(ident["custom"]["id"], None)
            details.append(self._detail(params, ident, {"status": "DELETING"}))
        return self._reply(op, {"documentDetails": details})
