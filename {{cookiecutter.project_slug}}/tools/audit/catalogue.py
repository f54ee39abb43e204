"""The controls: each default of the stack, where the project sets it, what it serves, how it is checked.

Each control serves an area of tools/regulation.py, which cites its clauses with a link to the
official text (UKGC RTS and ISO/IEC 27001:2022, MGA, N.J.A.C. 13:69O, GLI-19). For a jurisdiction not
mapped there, the report cites the jurisdiction's security instrument from the manifest, and a control
that checks a manifest rule (`rule=`) cites that rule's source. A control is evidence for an auditor,
not a legal opinion.
"""

from __future__ import annotations

from tools import regulation
from tools.audit import checks, config, hybrid, live, scanners
from tools.audit.model import Control
from tools.regulation import (
    AUTHENTICATION,
    BACKUP,
    CAPACITY,
    COMMUNICATIONS,
    DELIVERY,
    EDGE,
    ENCRYPTION,
    LEAST_PRIVILEGE,
    LOGGING,
    MONITORING,
    NETWORK,
    PLAYER_LOCATION,
    PRIVACY,
    RECORDS,
    RESIDENCY,
    SECRETS,
    SYSTEM_INTEGRITY,
)

CONTROLS: tuple[Control, ...] = (
    Control(
        id="cfn-lint",
        title="The packaged CloudFormation is valid (cfn-lint)",
        enforced_by=("Makefile: audit runs cfn-lint", "serverless.yml: resources.Metadata.cfn-lint"),
        serves=SYSTEM_INTEGRITY,
        remedy="Fix the resource cfn-lint names in serverless.yml; ignore a rule only with a comment "
        "saying why.",
        static=scanners.cfn_lint,
    ),
    Control(
        id="checkov",
        title="checkov finds no failed check; every skipped check says why",
        enforced_by=(
            "Makefile: audit runs checkov",
            "serverless.yml: resources.extensions.*.Metadata.checkov.skip",
        ),
        serves=SYSTEM_INTEGRITY,
        remedy="Fix the resource, or skip the check in its Metadata.checkov.skip with a comment of a "
        "sentence or more.",
        static=scanners.checkov,
    ),
    Control(
        id="iam-no-wildcard-actions",
        title="IAM grants no `*` actions and attaches no managed policies",
        enforced_by=("serverless.yml: functions.*.iamRoleStatements[].Action",),
        serves=LEAST_PRIVILEGE,
        remedy="List each action the function calls; write a managed policy's needed statements out instead.",
        static=checks.iam_no_wildcard_actions,
        checkov=("CKV_AWS_62", "CKV_AWS_63"),
    ),
    Control(
        id="iam-wildcard-resources-justified",
        title="`*` IAM resources only for actions without resource ARNs, with the reason",
        enforced_by=(
            "serverless.yml: functions.*.iamRoleStatements[].Sid and Resource",
            "tools/audit/config.py: WILDCARD_RESOURCE_GRANTS",
        ),
        serves=LEAST_PRIVILEGE,
        remedy="Name the resource's ARN; if the service has none, give the statement a Sid from "
        "WILDCARD_RESOURCE_GRANTS (or add one there with the reason).",
        static=checks.iam_wildcard_resources_justified,
        checkov=("CKV_AWS_109", "CKV_AWS_111"),
    ),
    Control(
        id="iam-one-role-per-function",
        title="Each function has its own IAM role",
        enforced_by=(
            "serverless.yml: plugins serverless-iam-roles-per-function, functions.*.iamRoleStatements",
            "serverless.yml: resources.extensions.IamRoleLambdaExecution (Condition Never)",
        ),
        serves=LEAST_PRIVILEGE,
        remedy="Give the function its own iamRoleStatements instead of a shared `role`; remove unused roles.",
        static=checks.iam_one_role_per_function,
    ),
    Control(
        id="iam-publishers-name-their-sources",
        title="Each function may publish only as the modules it speaks for (events:source on PutEvents)",
        enforced_by=(
            "serverless.yml: PublishDomainEvents and PublishWalletEvents (Condition events:source)",
            "manifest.yaml: a worker's sources, a module's api_publishes",
        ),
        serves=LEAST_PRIVILEGE,
        remedy="Add Condition StringEquals events:source with the sources the function publishes "
        "(<package>.<module>) to its PutEvents statement.",
        static=checks.iam_publishers_name_their_sources,
    ),
    Control(
        id="iam-bonus-grants-scoped",
        title="Bonus-granting workers write the wallet's table only as a grant does",
        enforced_by=(
            "serverless.yml: macro bonus_grant_iam (BonusGrantWrites, BonusGrantExclusionCheck)",
            "manifest.yaml: wallet bonus_grant_attributes, a worker's grants_bonuses",
        ),
        serves=LEAST_PRIVILEGE,
        remedy="Keep the worker's wallet writes to PutItem and UpdateItem inside TransactWriteItems "
        "(dynamodb:EnclosingOperation) on the attributes a grant writes (dynamodb:Attributes).",
        static=checks.iam_bonus_grants_scoped,
    ),
    Control(
        id="lambda-tracing-active",
        title="Functions trace every invocation (X-Ray Active)",
        enforced_by=("serverless.yml: provider.tracing.lambda",),
        serves=MONITORING,
        remedy="Set provider.tracing.lambda: true (and no function-level override).",
        static=checks.lambda_tracing_active,
        live=live.lambda_tracing,
    ),
    Control(
        id="lambda-env-encrypted-with-cmk",
        title="Function environments are encrypted with the stack's key",
        enforced_by=("serverless.yml: provider.kmsKeyArn",),
        serves=ENCRYPTION,
        remedy="Set provider.kmsKeyArn (or the function's kmsKeyArn) to the stack key DataKey.",
        static=checks.lambda_env_encrypted,
        live=live.lambda_env_encrypted,
        checkov=("CKV_AWS_173",),
    ),
    Control(
        id="lambda-no-plain-secrets-in-env",
        title="No secret in a plain environment variable",
        enforced_by=("serverless.yml: provider.environment, functions.*.environment",),
        serves=SECRETS,
        remedy="Keep the secret in SSM Parameter Store (SecureString) or Secrets Manager, pass its name "
        "(NAME_PARAMETER) and read it at run time.",
        static=checks.lambda_no_plain_secrets,
        checkov=("CKV_AWS_45",),
    ),
    Control(
        id="lambda-concurrency-bounded",
        title="Every function's concurrency is capped (reserved, SQS maximum, or API throttling)",
        enforced_by=(
            "serverless.yml: functions.*.events[].sqs.maximumConcurrency",
            "serverless.yml: params apiRateLimit and apiBurstLimit (HttpApiStage)",
        ),
        serves=CAPACITY,
        remedy="Cap the trigger (sqs maximumConcurrency, API throttling) or set the function's "
        "reservedConcurrency.",
        static=checks.lambda_concurrency_bounded,
        live=live.lambda_concurrency,
        checkov=("CKV_AWS_115",),
    ),
    Control(
        id="logs-retention-from-jurisdiction",
        title=(
            f"Log groups keep logs at least {config.LOG_RETENTION_DAYS} days "
            f"({regulation.JURISDICTION_TITLE})"
        ),
        enforced_by=("serverless.yml: provider.logRetentionInDays",),
        serves=LOGGING,
        remedy=f"Set provider.logRetentionInDays to {config.LOG_RETENTION_DAYS}; give every function a "
        "log group in the stack.",
        rule="log_retention",
        static=checks.logs_retention,
        live=live.logs_retention,
        checkov=("CKV_AWS_66",),
    ),
    Control(
        id="logs-encrypted-with-cmk",
        title="Log groups are encrypted with the stack's key",
        enforced_by=("serverless.yml: resources.extensions.*LogGroup.Properties.KmsKeyId",),
        serves=LOGGING,
        remedy="Add the log group under resources.extensions with KmsKeyId: Fn::GetAtt [DataKey, Arn].",
        static=checks.logs_encrypted,
        live=live.logs_encrypted,
        checkov=("CKV_AWS_158",),
    ),
    Control(
        id="tables-encrypted-with-cmk",
        title="Tables are encrypted with the stack's key",
        enforced_by=("serverless.yml: resources.Resources.*Table.Properties.SSESpecification",),
        serves=ENCRYPTION,
        remedy="Set SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: DataKey's ARN}.",
        static=checks.tables_encrypted,
        live=live.tables_encrypted,
        checkov=("CKV_AWS_119",),
    ),
    Control(
        id="tables-point-in-time-recovery",
        title="Tables can be restored to any second of the last 35 days",
        enforced_by=(
            "serverless.yml: resources.Resources.*Table.Properties.PointInTimeRecoverySpecification",
        ),
        serves=BACKUP,
        remedy="Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true.",
        static=checks.tables_point_in_time_recovery,
        live=live.tables_point_in_time_recovery,
        checkov=("CKV_AWS_28",),
    ),
    Control(
        id="tables-retained",
        title="Tables outlive the stack (Retain policies and deletion protection)",
        enforced_by=(
            "serverless.yml: resources.Resources.*Table (DeletionPolicy, DeletionProtectionEnabled)",
        ),
        serves=RECORDS,
        remedy="Set DeletionPolicy and UpdateReplacePolicy to Retain and DeletionProtectionEnabled: true.",
        rule="retention",
        static=checks.tables_retained,
        live=live.tables_retained,
    ),
    Control(
        id="queues-have-dlq",
        title="Every queue has a dead-letter queue",
        enforced_by=("serverless.yml: resources.Resources.*Queue.Properties.RedrivePolicy",),
        serves=DELIVERY,
        remedy="Add a RedrivePolicy with deadLetterTargetArn (a queue of this stack) and maxReceiveCount.",
        static=checks.queues_have_dlq,
        live=live.queues_have_dlq,
    ),
    Control(
        id="queues-encrypted-with-cmk",
        title="Queues are encrypted with the stack's key",
        enforced_by=("serverless.yml: resources.Resources.*Queue.Properties.KmsMasterKeyId",),
        serves=ENCRYPTION,
        remedy="Set KmsMasterKeyId: Fn::GetAtt [DataKey, Arn] (SQS-managed encryption is not enough).",
        static=checks.queues_encrypted,
        live=live.queues_encrypted,
        checkov=("CKV_AWS_27",),
    ),
    Control(
        id="event-targets-have-dlq",
        title="Events that cannot be delivered are kept (rule targets have a dead-letter queue)",
        enforced_by=("serverless.yml: resources.Resources.*Rule.Properties.Targets[].DeadLetterConfig",),
        serves=DELIVERY,
        remedy="Give each rule target a DeadLetterConfig.Arn (a queue of this stack).",
        static=checks.event_targets_have_dlq,
    ),
    Control(
        id="topics-encrypted-with-cmk",
        title="SNS topics are encrypted with the stack's key",
        enforced_by=("serverless.yml: resources.Resources.*Topic.Properties.KmsMasterKeyId",),
        serves=ENCRYPTION,
        remedy="Set KmsMasterKeyId: Fn::GetAtt [DataKey, Arn] and let CloudWatch use the key.",
        static=checks.topics_encrypted,
        checkov=("CKV_AWS_26",),
    ),
    Control(
        id="cors-not-wildcard",
        title="CORS allows listed origins only, never `*`",
        enforced_by=(
            "serverless.yml: params.*.corsAllowedOrigins (provider.httpApi.cors, CORS_ALLOWED_ORIGINS)",
        ),
        serves=COMMUNICATIONS,
        remedy="List the exact browser origins in params.<stage>.corsAllowedOrigins.",
        static=checks.cors_not_wildcard,
    ),
    Control(
        id="api-routes-authorized",
        title="Player routes need a valid JWT; public routes are listed with a reason",
        enforced_by=(
            "serverless.yml: functions.api.events[].httpApi.authorizer (playerJwt)",
            "tools/audit/config.py: PUBLIC_ROUTES",
        ),
        serves=AUTHENTICATION,
        remedy="Add authorizer: {name: playerJwt} to the route, or list it in PUBLIC_ROUTES with the reason.",
        static=checks.api_routes_authorized,
    ),
    Control(
        id="api-stage-throttled",
        title="The HTTP API is throttled (rate and burst per stage)",
        enforced_by=(
            "serverless.yml: params apiRateLimit and apiBurstLimit (resources.extensions.HttpApiStage)",
        ),
        serves=CAPACITY,
        remedy="Set ThrottlingRateLimit and ThrottlingBurstLimit in HttpApiStage's DefaultRouteSettings.",
        static=checks.api_stage_throttled,
    ),
    Control(
        id="api-access-log-no-personal-data",
        title="The API access log is kept and records no personal data",
        enforced_by=("serverless.yml: provider.logs.httpApi.format",),
        serves=PRIVACY,
        remedy="Keep the access log format to request id, route, status and latencies: no IP, user "
        "agent or claims.",
        static=checks.api_access_log_no_personal_data,
        checkov=("CKV_AWS_95",),
    ),
    Control(
        id="kms-keys-rotated",
        title="Customer-managed keys rotate every year",
        enforced_by=("serverless.yml: resources.Resources.DataKey.Properties.EnableKeyRotation",),
        serves=ENCRYPTION,
        remedy="Set EnableKeyRotation: true on the key.",
        static=checks.kms_keys_rotated,
        checkov=("CKV_AWS_7",),
    ),
    Control(
        id="buckets-encrypted-with-cmk",
        title="Buckets are encrypted with the stack's key",
        enforced_by=(
            "serverless.yml: resources.Resources.*Bucket.Properties.BucketEncryption",
            "serverless.yml: resources.extensions.ServerlessDeploymentBucket.Properties.BucketEncryption",
        ),
        serves=ENCRYPTION,
        remedy="Set BucketEncryption to aws:kms with KMSMasterKeyID: Fn::GetAtt [DataKey, Arn].",
        static=checks.buckets_encrypted,
        checkov=("CKV_AWS_19",),
    ),
    Control(
        id="buckets-private-tls-only",
        title="Buckets block public access and refuse requests without TLS",
        enforced_by=(
            "serverless.yml: resources.Resources.*Bucket.Properties.PublicAccessBlockConfiguration",
            "serverless.yml: provider.deploymentBucket.blockPublicAccess (with a TLS-only policy)",
        ),
        serves=COMMUNICATIONS,
        remedy="Block all four public-access settings and add a bucket policy denying "
        "aws:SecureTransport false.",
        static=checks.buckets_private,
        checkov=("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
    ),
    Control(
        id="audit-bucket-object-lock",
        title=f"The audit trail archive is write-once for {config.RECORDS_RETENTION_YEARS} years "
        "(S3 Object Lock, COMPLIANCE mode)",
        enforced_by=(
            "serverless.yml: the audit trail bucket's ObjectLockConfiguration (found as docs/audit.md says)",
        ),
        serves=RECORDS,
        remedy="Enable Object Lock with a COMPLIANCE default retention of "
        f"{config.RECORDS_RETENTION_YEARS} years and versioning on the audit trail bucket.",
        rule="retention",
        static=checks.audit_bucket_object_lock,
        live=live.audit_bucket_object_lock,
    ),
    Control(
        id="alarms-cover-failures",
        title="Alarms watch function errors and throttles, dead-letter queue depth and API latency",
        enforced_by=("serverless.yml: the CloudWatch alarms under resources",),
        serves=MONITORING,
        remedy="Add the missing alarm (metric and dimension named in the finding).",
        static=checks.alarms_cover_failures,
    ),
    Control(
        id="alarms-notify-alert-topic",
        title="Every alarm notifies the stack's alert topic",
        enforced_by=("serverless.yml: the CloudWatch alarms' AlarmActions",),
        serves=MONITORING,
        remedy="Set AlarmActions to the alert topic (Ref of the stack's SNS topic).",
        static=checks.alarms_notify_alert_topic,
    ),
    Control(
        id="network-functions-in-private-subnets",
        title="With private networking, every function runs in the stack's private subnets (two zones)",
        enforced_by=(
            "serverless.yml: params privateNetworking, provider.vpc (custom.functionNetwork)",
            "serverless.yml: resources Vpc, PrivateSubnetA, PrivateSubnetB",
        ),
        serves=NETWORK,
        remedy="Remove the function's own `vpc` setting so it takes provider.vpc, or set the stage's "
        "privateNetworking param to true.",
        static=checks.functions_in_private_subnets,
        checkov=("CKV_AWS_117",),
    ),
    Control(
        id="network-no-route-to-the-internet",
        title="No NAT gateway, internet gateway or route out: functions reach only the VPC endpoints",
        enforced_by=("serverless.yml: resources PrivateRouteTable (no routes of its own), PrivateSubnet*",),
        serves=NETWORK,
        remedy="Remove the NAT or internet gateway and its route; reach the service through a VPC "
        "endpoint with a policy naming this stack's resources.",
        static=checks.no_route_to_the_internet,
    ),
    Control(
        id="network-endpoint-policies-scoped",
        title="Every VPC endpoint's policy names its actions and this stack's resources, for this account",
        enforced_by=(
            "serverless.yml: resources *Endpoint.Properties.PolicyDocument (macro endpoint_policy)",
        ),
        serves=NETWORK,
        remedy="Give the endpoint a policy listing the actions the functions call on this stack's "
        "resources, with the aws:PrincipalAccount condition.",
        static=checks.endpoint_policies_scoped,
    ),
    Control(
        id="network-https-only",
        title="Security groups allow HTTPS only: functions to the endpoints, nothing else",
        enforced_by=("serverless.yml: resources FunctionSecurityGroup, EndpointSecurityGroup",),
        serves=NETWORK,
        remedy="Keep only tcp 443 rules (and the loopback placeholder that replaces the default egress).",
        static=checks.network_https_only,
        checkov=("CKV_AWS_23",),
    ),
    Control(
        id="edge-waf-attached",
        title="With the edge, CloudFront serves the HTTP API behind the AWS WAF web ACL",
        enforced_by=(
            "serverless.yml: params edge, edgeWebAclArn; resources ApiDistribution",
            "bootstrap/edge-waf.yml: the web ACL (managed rule groups, per-client rate limits)",
        ),
        serves=EDGE,
        remedy="Set the stage's edgeWebAclArn to bootstrap/edge-waf.yml's WebAclArn output "
        "(made in us-east-1).",
        static=checks.edge_waf_attached,
        checkov=("CKV_AWS_68",),
    ),
    Control(
        id="edge-origin-closed",
        title="With the edge, the API's own address refuses requests that did not come through CloudFront",
        enforced_by=(
            "serverless.yml: resources EdgeOriginSecret, ApiDistribution Origins.OriginCustomHeaders",
            "serverless.yml: functions.api environment ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_SECRET_ID",
            "src/<package>/api/origin.py: the header checked before any route (constant-time compare)",
        ),
        serves=EDGE,
        remedy="Keep the distribution's origin header from EdgeOriginSecret and the api function's "
        "ORIGIN_VERIFY_HEADER and ORIGIN_VERIFY_SECRET_ID naming the same header and secret.",
        static=checks.edge_origin_closed,
    ),
    Control(
        id="edge-geo-restriction",
        title="With the edge, CloudFront admits players only from the jurisdiction's countries",
        enforced_by=(
            "serverless.yml: params edgeAllowedCountries; ApiDistribution Restrictions.GeoRestriction",
            "tools/audit/config.py: EDGE_COUNTRIES (the template manifest's edge_countries)",
        ),
        serves=PLAYER_LOCATION,
        remedy="Set the stage's edgeAllowedCountries to the licensed countries (a whitelist).",
        static=checks.edge_geo_restriction,
    ),
    Control(
        id="edge-tls-and-headers",
        title="With the edge, TLS 1.2+ both ways, HTTPS only, and HSTS, nosniff and no-store on every answer",
        enforced_by=("serverless.yml: ApiDistribution ViewerCertificate, Origins; EdgeSecurityHeaders",),
        serves=COMMUNICATIONS,
        remedy="Use an ACM certificate with MinimumProtocolVersion TLSv1.2_2021, https-only, and the "
        "EdgeSecurityHeaders policy on every cache behaviour.",
        static=checks.edge_tls_and_headers,
        checkov=("CKV_AWS_174", "CKV_AWS_34", "CKV2_AWS_72"),
    ),
    Control(
        id="region-residency",
        title="The stack stays in a region the jurisdiction allows",
        enforced_by=("serverless.yml: custom.region (name, allowedRegions)", "tools/residency.py"),
        serves=RESIDENCY,
        remedy="Regenerate the project for an allowed region (make regenerate REGION=...).",
        rule="residency",
        static=checks.region_residency,
    ),
    # The hybrid mode (module operator_wallet): tools/audit/hybrid.py.
    Control(
        id="no-wagering-function",
        title="Where the law keeps wagering off public clouds, no function, route, table or code of it",
        enforced_by=(
            "hooks/pre_gen_project.py (the template): the wagering modules refused for the jurisdiction",
            "tools/audit/config.py: WAGERING_MODULES, WAGERING_FUNCTIONS (the template manifest's residency)",
        ),
        serves=RESIDENCY,
        remedy="Remove the wallet's functions, routes and tables: the operator's own wallet conducts the "
        "wagering where the law puts it; regenerate with module_operator_wallet=true (the hybrid mode).",
        rule="residency",
        static=hybrid.no_wagering_function,
    ),
    Control(
        id="platform-webhook-key-from-secret-store",
        title="The hybrid mode's signing keys come from the parameter store, never the environment",
        enforced_by=(
            "serverless.yml: OPERATOR_PLATFORM_KEY_PARAMETER, OPERATOR_WALLET_KEY_PARAMETER",
            "serverless.yml: the api role's OperatorPlatformKeys (ssm:GetParameter)",
        ),
        serves=SECRETS,
        remedy="Keep the keys in SSM SecureStrings and pass their names (*_KEY_PARAMETER); let the api "
        "function's role read the webhook's.",
        static=hybrid.platform_webhook_key_from_secret_store,
    ),
)
