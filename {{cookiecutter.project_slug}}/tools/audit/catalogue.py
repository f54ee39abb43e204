"""The controls: each default of the stack, where the project sets it, what it serves, how it is checked.

Each control cites the clauses it serves, with a link to the official text: the UKGC Remote gambling
and software Technical Standards (RTS) security requirements, which cite ISO/IEC 27001:2022 Annex A;
the Malta Gaming Authority's Gaming Authorisations and Compliance Directive (Directive 3 of 2018) and
its guidelines on technical infrastructure; New Jersey's N.J.A.C. 13:69O (Internet and mobile gaming);
and GLI-19 (Standards for Interactive Gaming Systems). For a jurisdiction not mapped here (added to the
manifest as data), the report cites the jurisdiction's security instrument from the manifest, and a
control that checks a manifest rule (`rule=`) cites that rule's source. A control is evidence for an
auditor, not a legal opinion.
"""

from __future__ import annotations

from tools.audit import checks, config, hybrid, live, scanners
from tools.audit.model import GLI_19, Citation, Control

UKGC_RTS = "https://www.gamblingcommission.gov.uk/standards/remote-gambling-and-software-technical-standards"
MGA_DIRECTIVE = "MGA Directive 3 of 2018"
MGA_DIRECTIVE_TEXT = "https://www.mga.org.mt/app/uploads/Directive-3-of-2018-Gaming-Authorisations-and-Compliance-Directive.pdf"
MGA_INFRASTRUCTURE = "MGA technical infrastructure guidelines"
MGA_INFRASTRUCTURE_TEXT = "https://www.mga.org.mt/app/uploads/Technical-Infrastructure-hosting-Gaming-and-Control-Systems-Remote-Gaming.pdf"
NJAC_69O = "https://www.nj.gov/oag/ge/docs/Regulations/CHAPTER69O.pdf"
GLI_19_TEXT = "https://gaminglabs.com/wp-content/uploads/2024/06/GLI-19-Interactive-Gaming-Systems-v3.0.pdf"


def serves(uk: str, mga: str, nj: str, gli: str) -> dict[str, Citation]:
    """The clauses a control serves, by jurisdiction, each with the link to its official text."""
    mga_text = MGA_INFRASTRUCTURE_TEXT if mga.startswith(MGA_INFRASTRUCTURE) else MGA_DIRECTIVE_TEXT
    return {
        "uk-gc": Citation(f"UKGC RTS security, ISO/IEC 27001:2022 {uk}", UKGC_RTS),
        "mga": Citation(mga, mga_text),
        "us-nj": Citation(f"N.J.A.C. {nj}", NJAC_69O),
        GLI_19: Citation(f"GLI-19: {gli}", GLI_19_TEXT),
    }


SYSTEM_INTEGRITY = serves(
    "A.8.9 configuration management, A.8.32 change management",
    f"{MGA_DIRECTIVE}: integrity of the critical gaming system",
    "13:69O-1.2 (gaming system integrity and security assessment)",
    "system integrity and change control",
)
LEAST_PRIVILEGE = serves(
    "A.5.15 access control, A.8.2 privileged access rights, A.8.3 information access restriction",
    f"{MGA_DIRECTIVE}: information security, access control",
    "13:69O-1.4 (system security and operational controls)",
    "logical access control (least privilege)",
)
MONITORING = serves(
    "A.8.16 monitoring activities",
    f"{MGA_DIRECTIVE} art. 37(2): security incidents reported within three working days",
    "13:69O-1.4(c) (detect and report)",
    "monitoring and incident detection",
)
ENCRYPTION = serves(
    "A.8.24 use of cryptography",
    f"{MGA_INFRASTRUCTURE}: integrity and security of regulatory data",
    "13:69O-1.4 (security of patron accounts and data)",
    "cryptography and protection of data at rest",
)
LOGGING = serves(
    "A.8.15 logging, A.5.33 protection of records",
    f"{MGA_INFRASTRUCTURE}: transaction logs accessible at all times",
    "13:69O-1.8 (mandatory gaming system logging)",
    "event logging and log protection",
)
RECORDS = serves(
    "A.5.33 protection of records",
    f"{MGA_INFRASTRUCTURE}: financial transaction logs kept and accessible",
    "13:69O-1.8(d) (information to recreate play and account activity kept no less than 10 years)",
    "information to be maintained (record retention)",
)
BACKUP = serves(
    "A.8.13 information backup",
    f"{MGA_DIRECTIVE}: information security, backup and recovery",
    "13:69O-1.2 (primary and backup gaming equipment)",
    "backup and recovery",
)
DELIVERY = serves(
    "A.8.16 monitoring activities, A.8.14 redundancy",
    f"{MGA_INFRASTRUCTURE}: integrity of regulatory data",
    "13:69O-1.4 (operational controls)",
    "transaction integrity and recovery",
)
COMMUNICATIONS = serves(
    "A.8.20 networks security, A.8.26 application security requirements",
    f"{MGA_DIRECTIVE}: information security, secure player communications",
    "13:69O-1.4(b) (secure communications with client terminals)",
    "communications security",
)
AUTHENTICATION = serves(
    "A.8.5 secure authentication, A.5.15 access control",
    f"{MGA_DIRECTIVE}: information security, player account access",
    "13:69O-1.4(a) (patron access limited to the account holder)",
    "player account security and authentication",
)
CAPACITY = serves(
    "A.8.6 capacity management",
    f"{MGA_DIRECTIVE} art. 37(2)(d): players kept able to reach their accounts",
    "13:69O-1.4 (system standards and operational controls)",
    "system availability and capacity",
)
PRIVACY = serves(
    "A.8.15 logging, A.5.34 privacy and protection of PII",
    f"{MGA_INFRASTRUCTURE}: personal data handled under data protection rules",
    "13:69O-1.8 (mandatory gaming system logging)",
    "event logging and data protection",
)
SECRETS = serves(
    "A.5.17 authentication information, A.8.24 use of cryptography",
    f"{MGA_DIRECTIVE}: information security, protection of credentials",
    "13:69O-1.4 (system security)",
    "protection of credentials and sensitive data",
)
RESIDENCY = serves(
    "A.5.23 information security for use of cloud services",
    f"{MGA_INFRASTRUCTURE}: location of the technical infrastructure (EU/EEA)",
    "13:69O-1.2 (location of gaming equipment; data stays in the United States)",
    "server location and data residency",
)
NETWORK = serves(
    "A.8.20 networks security, A.8.22 segregation of networks",
    f"{MGA_DIRECTIVE}: information security, network security of the critical gaming system",
    "13:69O-1.4 (system security and operational controls)",
    "network security: segregation and controlled egress",
)
EDGE = serves(
    "A.8.20 networks security, A.8.21 security of network services, A.8.26 application security requirements",
    f"{MGA_DIRECTIVE}: information security, protection of the gaming system from attacks",
    "13:69O-1.4 (system security and operational controls)",
    "network security: firewalls and protection against attacks",
)
PLAYER_LOCATION = serves(
    "A.5.31 legal, statutory, regulatory and contractual requirements",
    f"{MGA_DIRECTIVE}: players served only in the markets the licence covers",
    "13:69O-1.2(e) (the patron's physical location detected; wagers only from an authorized location)",
    "player location (geolocation)",
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
        title=f"Log groups keep logs at least {config.LOG_RETENTION_DAYS} days ({config.JURISDICTION_TITLE})",
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
