"""Knowledge stack: the documents bucket, the Bedrock Knowledge Base on S3 Vectors, its data
sources, a Guardrail and (optionally) an Agent with the knowledge base attached.

S3 Vectors over OpenSearch Serverless: a serverless collection bills at least ~2-4 OCUs around
the clock (~$350-700/month) before the first question; S3 Vectors bills per GB stored and per
query, which fits an internal bot's bursty, low-QPS traffic. The trade-off (higher query latency
and no hybrid/keyword search inside Bedrock) is acceptable because answers are LLM-bound anyway.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import Aws, CfnOutput, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3vectors as s3vectors
from constructs import Construct

from adapters.bedrock_sink.layout import DOCUMENT_PREFIX, NON_FILTERABLE_KEYS
from infra.config import DeployConfig
from infra.stacks.common import acknowledge, acknowledge_profile_wildcards, bedrock_model_arns

# S3 Vectors allows 2 KB of filterable metadata per vector. Bedrock's chunk text and metadata
# (AMAZON_BEDROCK_*) and kbot's display-only keys (title, source_uri, modified) are declared
# non-filterable (adapters/bedrock_sink/layout.py); the keys retrieval filters on (acl_groups,
# source) stay filterable and the sink keeps them under the limit.
STORE_TYPE = "S3_VECTORS"
# Vector stores on which Retrieve accepts overrideSearchType=HYBRID (those with a filterable text
# field); S3 Vectors is not one, so BEDROCK_SEARCH_TYPE is left unset and Bedrock picks SEMANTIC.
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_KnowledgeBaseVectorSearchConfiguration.html
HYBRID_SEARCH_STORES = frozenset({"OPENSEARCH_SERVERLESS", "OPENSEARCH_MANAGED_CLUSTER", "RDS", "MONGO_DB_ATLAS"})

AGENT_INSTRUCTION = (
    "You answer employees' questions using only the company knowledge base. Cite the documents "
    "you used. If the knowledge base does not contain the answer, say so plainly instead of guessing."
)


class KnowledgeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        env: Environment,
    ) -> None:
        super().__init__(scope, construct_id, env=env)
        self.config = config
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY

        self.log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # ALB access logs only support SSE-S3
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=removal,
        )

        self.bucket_name = f"{config.name}-documents-{config.account}-{config.region}"
        self.bucket = s3.Bucket(
            self,
            "Documents",
            bucket_name=self.bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="documents-bucket/",
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(90))],
            removal_policy=removal,
        )

        vector_bucket = s3vectors.CfnVectorBucket(
            self,
            "VectorBucket",
            encryption_configuration={"sseType": "AES256"},
        )
        vector_bucket.apply_removal_policy(removal)
        self.vector_index = s3vectors.CfnIndex(
            self,
            "VectorIndex",
            vector_bucket_arn=vector_bucket.attr_vector_bucket_arn,
            index_name=f"{config.name}-chunks",
            data_type="float32",
            dimension=config.embedding_dimensions,
            distance_metric="cosine",
            metadata_configuration={"nonFilterableMetadataKeys": list(NON_FILTERABLE_KEYS)},
        )
        self.vector_index.apply_removal_policy(removal)

        embedding_arn = bedrock_model_arns(config.embedding_model_id, config.region, config.account)[0]
        kb_role = self._bedrock_role("KnowledgeBaseRole", "knowledge-base")
        kb_role.add_to_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=[embedding_arn]))
        kb_role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "s3vectors:PutVectors",
                    "s3vectors:GetVectors",
                    "s3vectors:DeleteVectors",
                    "s3vectors:QueryVectors",
                    "s3vectors:GetIndex",
                ],
                resources=[self.vector_index.attr_index_arn],
            )
        )
        self.bucket.grant_read(kb_role)
        for finding in (
            "Action::s3:GetObject*",
            "Action::s3:GetBucket*",
            "Action::s3:List*",
            f"Resource::<{self.get_logical_id(cast(s3.CfnBucket, self.bucket.node.default_child))}.Arn>/*",
        ):
            acknowledge(
                kb_role,
                f"AwsSolutions-IAM5[{finding}]",
                "Bedrock reads every object of the documents bucket: the whole bucket is the data source.",
            )

        self.knowledge_base = bedrock.CfnKnowledgeBase(
            self,
            "KnowledgeBase",
            name=f"{config.name}-knowledge",
            description="Company knowledge for the kbot chat bot",
            role_arn=kb_role.role_arn,
            knowledge_base_configuration=bedrock.CfnKnowledgeBase.KnowledgeBaseConfigurationProperty(
                type="VECTOR",
                vector_knowledge_base_configuration=bedrock.CfnKnowledgeBase.VectorKnowledgeBaseConfigurationProperty(
                    embedding_model_arn=embedding_arn,
                    embedding_model_configuration=bedrock.CfnKnowledgeBase.EmbeddingModelConfigurationProperty(
                        bedrock_embedding_model_configuration=bedrock.CfnKnowledgeBase.BedrockEmbeddingModelConfigurationProperty(
                            dimensions=config.embedding_dimensions,
                            embedding_data_type="FLOAT32",
                        ),
                    ),
                ),
            ),
            storage_configuration=bedrock.CfnKnowledgeBase.StorageConfigurationProperty(
                type=STORE_TYPE,
                s3_vectors_configuration=bedrock.CfnKnowledgeBase.S3VectorsConfigurationProperty(
                    index_arn=self.vector_index.attr_index_arn,
                ),
            ),
        )
        self.knowledge_base.node.add_dependency(kb_role)

        self.s3_data_source = bedrock.CfnDataSource(
            self,
            "S3DataSource",
            name=f"{config.name}-documents",
            knowledge_base_id=self.knowledge_base.attr_knowledge_base_id,
            data_deletion_policy="DELETE",  # a document deleted from the bucket stops being cited
            data_source_configuration=bedrock.CfnDataSource.DataSourceConfigurationProperty(
                type="S3",
                s3_configuration=bedrock.CfnDataSource.S3DataSourceConfigurationProperty(
                    bucket_arn=self.bucket.bucket_arn,
                    # Documents only: the sink's manifests (kbot-manifests/) must never be indexed.
                    inclusion_prefixes=[DOCUMENT_PREFIX],
                ),
            ),
            vector_ingestion_configuration=bedrock.CfnDataSource.VectorIngestionConfigurationProperty(
                chunking_configuration=bedrock.CfnDataSource.ChunkingConfigurationProperty(
                    chunking_strategy="FIXED_SIZE",
                    fixed_size_chunking_configuration=bedrock.CfnDataSource.FixedSizeChunkingConfigurationProperty(
                        max_tokens=300,
                        overlap_percentage=20,
                    ),
                ),
            ),
        )
        self.custom_data_source: bedrock.CfnDataSource | None = None
        if config.enable_custom_data_source:
            self.custom_data_source = bedrock.CfnDataSource(
                self,
                "CustomDataSource",
                name=f"{config.name}-direct",
                knowledge_base_id=self.knowledge_base.attr_knowledge_base_id,
                data_deletion_policy="DELETE",
                data_source_configuration=bedrock.CfnDataSource.DataSourceConfigurationProperty(type="CUSTOM"),
            )

        self.guardrail = self._guardrail()
        self.guardrail_version = bedrock.CfnGuardrailVersion(
            self,
            "GuardrailVersion",
            guardrail_identifier=self.guardrail.attr_guardrail_id,
            description="Pinned by the kbot deployment",
        )

        self.agent: bedrock.CfnAgent | None = None
        self.agent_alias: bedrock.CfnAgentAlias | None = None
        if config.enable_agent:
            self._agent()
        self._outputs()

    # --- pieces ----------------------------------------------------------------------------
    @property
    def active_data_source(self) -> bedrock.CfnDataSource:
        """The data source the worker writes to (``BEDROCK_DATA_SOURCE_TYPE``)."""
        if self.config.data_source_type == "CUSTOM" and self.custom_data_source is not None:
            return self.custom_data_source
        return self.s3_data_source

    def _bedrock_role(self, construct_id: str, resource_kind: str) -> iam.Role:
        """A role only Bedrock acting for this account's ``resource_kind`` may assume (no confused deputy)."""
        source_prefix = f"arn:{Aws.PARTITION}:bedrock:{Aws.REGION}:{Aws.ACCOUNT_ID}"
        return iam.Role(
            self,
            construct_id,
            assumed_by=iam.ServicePrincipal(
                "bedrock.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"{source_prefix}:{resource_kind}/*"},
                },
            ),
        )

    def _guardrail(self) -> bedrock.CfnGuardrail:
        filters = [
            bedrock.CfnGuardrail.ContentFilterConfigProperty(type=kind, input_strength="HIGH", output_strength="HIGH")
            for kind in ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")
        ]
        # Prompt attacks are an input-only filter; the output strength must be NONE.
        filters.append(
            bedrock.CfnGuardrail.ContentFilterConfigProperty(
                type="PROMPT_ATTACK", input_strength="HIGH", output_strength="NONE"
            )
        )
        secrets_in_answers = [
            bedrock.CfnGuardrail.PiiEntityConfigProperty(type=kind, action="ANONYMIZE")
            for kind in (
                "AWS_ACCESS_KEY",
                "AWS_SECRET_KEY",
                "PASSWORD",
                "CREDIT_DEBIT_CARD_NUMBER",
                "US_SOCIAL_SECURITY_NUMBER",
            )
        ]
        return bedrock.CfnGuardrail(
            self,
            "Guardrail",
            name=f"{self.config.name}-guardrail",
            description="Blocks harmful content and prompt attacks; masks credentials in answers",
            blocked_input_messaging="Sorry, I can't help with that request.",
            blocked_outputs_messaging="Sorry, I can't share that answer.",
            content_policy_config=bedrock.CfnGuardrail.ContentPolicyConfigProperty(filters_config=filters),
            sensitive_information_policy_config=bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty(
                pii_entities_config=secrets_in_answers,
            ),
        )

    def _agent(self) -> None:
        config = self.config
        role = self._bedrock_role("AgentRole", "agent")
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                resources=bedrock_model_arns(config.model_id, config.region, config.account),
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["bedrock:Retrieve"], resources=[self.knowledge_base.attr_knowledge_base_arn])
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["bedrock:ApplyGuardrail"], resources=[self.guardrail.attr_guardrail_arn])
        )
        acknowledge_profile_wildcards(role, config, [config.model_id])
        self.agent = bedrock.CfnAgent(
            self,
            "Agent",
            agent_name=f"{config.name}-agent",
            agent_resource_role_arn=role.role_arn,
            foundation_model=config.model_id,
            instruction=AGENT_INSTRUCTION,
            auto_prepare=True,
            idle_session_ttl_in_seconds=900,
            knowledge_bases=[
                bedrock.CfnAgent.AgentKnowledgeBaseProperty(
                    knowledge_base_id=self.knowledge_base.attr_knowledge_base_id,
                    description="Company documents: policies, handbooks, how-tos and wiki pages.",
                    knowledge_base_state="ENABLED",
                )
            ],
            guardrail_configuration=bedrock.CfnAgent.GuardrailConfigurationProperty(
                guardrail_identifier=self.guardrail.attr_guardrail_id,
                guardrail_version=self.guardrail_version.attr_version,
            ),
        )
        self.agent.node.add_dependency(role)
        self.agent_alias = bedrock.CfnAgentAlias(
            self,
            "AgentAlias",
            agent_id=self.agent.attr_agent_id,
            agent_alias_name="live",
        )

    def _outputs(self) -> None:
        CfnOutput(self, "KnowledgeBaseId", value=self.knowledge_base.attr_knowledge_base_id)
        CfnOutput(self, "DataSourceId", value=self.active_data_source.attr_data_source_id)
        CfnOutput(self, "DocumentsBucket", value=self.bucket.bucket_name)
        CfnOutput(self, "GuardrailId", value=self.guardrail.attr_guardrail_id)
        if self.agent is not None and self.agent_alias is not None:
            CfnOutput(self, "AgentId", value=self.agent.attr_agent_id)
            CfnOutput(self, "AgentAliasId", value=self.agent_alias.attr_agent_alias_id)
