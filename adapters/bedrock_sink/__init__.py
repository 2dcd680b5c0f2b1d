"""Bedrock Knowledge Base sink: S3 objects + metadata sidecars, or direct CUSTOM ingestion."""
