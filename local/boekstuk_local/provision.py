"""Create every resource template.yaml declares in the AWS emulator, with plain boto3 calls.

Works the same under ``moto.mock_aws()`` (``endpoint_url=None``) and against a moto server
(``endpoint_url="http://127.0.0.1:<port>"``). Deploying the SAM template through moto's CloudFormation is
not viable (moto cannot create AWS::SecretsManager::Secret or SAM's implicit RestApi through CloudFormation, and
it neither applies the bucket notifications nor creates an executing state machine that way), hence this explicit
bootstrap.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from boekstuk_local.template import FunctionSpec, Resolver, SamApp, TemplateError, UnresolvedReference

log = logging.getLogger(__name__)

LAMBDA_ROLE_NAME = "boekstuk-local-lambda"
_ASSUME_LAMBDA = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                   "Action": "sts:AssumeRole"}],
})
_FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass
class Provisioned:
    """What was created: physical ids per logical id, and the environment every handler runs with."""

    app: SamApp
    region: str
    account_id: str
    endpoint_url: str | None
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> table name
    buckets: dict[str, str] = field(default_factory=dict)  # logical id -> bucket name
    user_pools: dict[str, str] = field(default_factory=dict)  # logical id -> pool id
    user_pool_clients: dict[str, tuple[str, str]] = field(default_factory=dict)  # logical -> (pool id, client id)
    state_machines: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    functions: dict[str, FunctionSpec] = field(default_factory=dict)  # logical id -> spec (name, module)
    secrets: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    email_identities: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)  # merged handler env (no conflicts)
    skipped: dict[str, str] = field(default_factory=dict)  # logical id -> type not created locally

    def function_by_name(self, name: str) -> FunctionSpec | None:
        """The function registered under the Lambda function name ``name``."""
        return next((f for f in self.functions.values() if f.name == name), None)

    @property
    def resolver(self) -> Resolver:
        """The resolver holding every local Ref/GetAtt value."""
        return self.app.resolver


_sessions: dict[str, boto3.session.Session] = {}
_sessions_lock = threading.Lock()


def client(service: str, endpoint_url: str | None, region: str) -> Any:
    """A boto3 client for the emulator (fake credentials; an explicit endpoint in server mode).

    One session per region is reused: its loaded service models make each new client cheap.
    """
    with _sessions_lock:
        session = _sessions.get(region)
        if session is None:
            session = _sessions[region] = boto3.session.Session(
                aws_access_key_id=_FAKE_CREDENTIALS["aws_access_key_id"],
                aws_secret_access_key=_FAKE_CREDENTIALS["aws_secret_access_key"], region_name=region)
        # Sessions are not thread-safe; handlers in server threads create clients too.
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def handler_module(code_dir: Path, handler: str, search_path: list[str] | None = None) -> tuple[str, str]:
    """``(dotted module, attribute)`` for a SAM ``CodeUri`` directory and ``Handler`` ("app.lambda_handler").

    The module is named from the shallowest ``sys.path`` entry that contains the code directory, so
    ``functions/book/app.py`` under the repo root becomes ``functions.book.app`` and two functions'
    ``app.py`` never collide in ``sys.modules``.
    """
    module_part, _, attribute = handler.rpartition(".")
    if not module_part:
        raise TemplateError(f"Handler {handler!r} must be module.function")
    code_dir = code_dir.resolve()
    roots = []
    for entry in search_path if search_path is not None else sys.path:
        try:
            root = Path(entry or ".").resolve()
        except OSError:
            continue
        if root == code_dir or root in code_dir.parents:
            roots.append(root)
    if not roots:
        raise TemplateError(f"{code_dir} is not below any sys.path entry; cannot import its handler")
    root = min(roots, key=lambda r: len(r.parts))
    prefix = code_dir.relative_to(root).parts
    return ".".join((*prefix, *module_part.split("."))), attribute


def provision(app: SamApp, *, endpoint_url: str | None = None, region: str | None = None,
              extra_environment: dict[str, str] | None = None) -> Provisioned:
    """Create every resource of ``app`` in the emulator and return what was created.

    ``extra_environment`` is added to the handlers' environment (the local stack's own variables).
    Raises ``TemplateError`` when two functions give one environment variable different values: locally
    environment variables are process-global.
    """
    resolver = app.resolver
    region = region or resolver.region
    out = Provisioned(app=app, region=region, account_id=resolver.account_id, endpoint_url=endpoint_url)
    aws = _Clients(endpoint_url, region)
    _predict_identifiers(app, out)

    creators = [
        (("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"), _create_table),
        (("AWS::SSM::Parameter",), _create_parameter),
        (("AWS::S3::Bucket",), _create_bucket),
        (("AWS::KMS::Key",), _create_kms_key),
        (("AWS::KMS::Alias",), _create_kms_alias),
        (("AWS::SecretsManager::Secret",), _create_secret),
        (("AWS::SES::EmailIdentity",), _create_email_identity),
        (("AWS::SQS::Queue",), _create_queue),
        (("AWS::SNS::Topic",), _create_topic),
        (("AWS::Cognito::UserPool",), _create_user_pool),
        (("AWS::Cognito::UserPoolClient",), _create_user_pool_client),
        (("AWS::Cognito::UserPoolGroup",), _create_user_pool_group),
    ]
    handled = {t for types, _ in creators for t in types} | {
        "AWS::Serverless::Function", "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine",
    }
    for logical_id, res in app.resources.items():
        if res.get("Type") not in handled:
            # Api, roles, log groups, schedules, CloudFront...: nothing to create locally; Ref gives the logical id.
            resolver.refs.setdefault(logical_id, logical_id)
            for attribute, value in _skipped_attributes(str(res.get("Type")), logical_id).items():
                resolver.attrs.setdefault((logical_id, attribute), value)
            out.skipped[logical_id] = str(res.get("Type"))
    for types, create in creators:
        for logical_id, res in app.of_type(*types).items():
            create(aws, out, logical_id, resolver.resolve(res.get("Properties") or {}))

    out.environment = _merged_environment(app, resolver, extra_environment or {})
    role_arn = _lambda_role(aws)
    for logical_id, fn in app.functions.items():
        _create_function(aws, out, fn, role_arn)
        out.functions[logical_id] = fn
    for logical_id, res in app.of_type("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine").items():
        _create_state_machine(aws, out, logical_id, res, role_arn)
    _configure_bucket_notifications(aws, out)
    return out


class _Clients:
    def __init__(self, endpoint_url: str | None, region: str) -> None:
        self.endpoint_url, self.region = endpoint_url, region
        self._cache: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._cache:
            self._cache[service] = client(service, self.endpoint_url, self.region)
        return self._cache[service]


def _predict_identifiers(app: SamApp, out: Provisioned) -> None:
    """Functions and state machines have deterministic ARNs: set them first so they may refer to each other."""
    r = app.resolver
    for logical_id, fn in app.functions.items():
        arn = f"arn:aws:lambda:{out.region}:{out.account_id}:function:{fn.name}"
        r.refs[logical_id] = fn.name
        r.attrs[(logical_id, "Arn")] = arn
    for logical_id, res in app.of_type("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine").items():
        props = res.get("Properties") or {}
        name = app.physical_name(props.get("Name") or props.get("StateMachineName"), logical_id)
        arn = f"arn:aws:states:{out.region}:{out.account_id}:stateMachine:{name}"
        r.refs[logical_id] = arn
        r.attrs[(logical_id, "Arn")] = arn
        r.attrs[(logical_id, "Name")] = name
        out.state_machines[logical_id] = arn


def _default_name(out: Provisioned, logical_id: str) -> str:
    return f"{out.app.resolver.stack_name}-{logical_id}"


def _skipped_attributes(resource_type: str, logical_id: str) -> dict[str, str]:
    """``GetAtt`` values of resources that are not created locally but that others may name.

    The web app's CloudFront distribution does not exist locally (the local stack serves the web app itself);
    its attributes get placeholder values so that a template naming them still provisions.
    """
    name = logical_id.lower()
    if resource_type == "AWS::CloudFront::Distribution":
        return {"DomainName": f"{name}.cloudfront.local", "Id": logical_id.upper()}
    if resource_type in ("AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::ResponseHeadersPolicy",
                         "AWS::CloudFront::CachePolicy", "AWS::CloudFront::OriginRequestPolicy",
                         "AWS::CloudFront::Function"):
        return {"Id": logical_id}
    return {}


def _create_parameter(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    """An SSM parameter, so the functions that read one at run time find it in the emulator."""
    name = str(props.get("Name") or f"/{out.app.resolver.stack_name}/{logical_id}")
    kind = str(props.get("Type", "String"))
    aws("ssm").put_parameter(Name=name, Value=str(props["Value"]), Type=kind, Overwrite=True)
    r = out.app.resolver
    r.refs[logical_id] = name
    r.attrs[(logical_id, "Value")] = str(props["Value"])
    r.attrs[(logical_id, "Type")] = kind


def _create_table(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    ddb = aws("dynamodb")
    name = props.get("TableName") or _default_name(out, logical_id)
    if "PrimaryKey" in props:  # AWS::Serverless::SimpleTable
        pk = props["PrimaryKey"]
        kwargs: dict[str, Any] = {
            "KeySchema": [{"AttributeName": pk["Name"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": pk["Name"], "AttributeType": pk.get("Type", "String")[0]}],
        }
    else:
        kwargs = {k: props[k] for k in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes",
                                        "LocalSecondaryIndexes", "StreamSpecification") if k in props}
    billing = props.get("BillingMode", "PAY_PER_REQUEST")
    kwargs["BillingMode"] = billing
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = props.get("ProvisionedThroughput") or {
            "ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    else:
        for gsi in kwargs.get("GlobalSecondaryIndexes", []):
            gsi.pop("ProvisionedThroughput", None)
    stream = kwargs.get("StreamSpecification")
    if stream and "StreamEnabled" not in stream:
        stream["StreamEnabled"] = True
    desc = ddb.create_table(TableName=name, **kwargs)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and str(ttl.get("Enabled")).lower() == "true":
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": ttl["AttributeName"]})
    out.tables[logical_id] = name
    r = out.app.resolver
    r.refs[logical_id] = name
    r.attrs[(logical_id, "Arn")] = desc["TableArn"]
    if desc.get("LatestStreamArn"):
        r.attrs[(logical_id, "StreamArn")] = desc["LatestStreamArn"]


def _create_bucket(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    name = str(props.get("BucketName") or _default_name(out, logical_id)).lower()
    s3 = aws("s3")
    if out.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": out.region})
    if props.get("CorsConfiguration"):
        # CloudFormation's CorsRule spells three keys differently from the S3 API.
        renames = {"ExposedHeaders": "ExposeHeaders", "Id": "ID", "MaxAge": "MaxAgeSeconds"}
        rules = [{renames.get(k, k): v for k, v in rule.items()} for rule in props["CorsConfiguration"]["CorsRules"]]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    versioning = (props.get("VersioningConfiguration") or {}).get("Status")
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    out.buckets[logical_id] = name
    r = out.app.resolver
    r.refs[logical_id] = name
    r.attrs[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
    r.attrs[(logical_id, "DomainName")] = f"{name}.s3.amazonaws.com"
    r.attrs[(logical_id, "RegionalDomainName")] = f"{name}.s3.{out.region}.amazonaws.com"


def _create_kms_key(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    meta = aws("kms").create_key(Description=str(props.get("Description", logical_id)))["KeyMetadata"]
    out.app.resolver.refs[logical_id] = meta["KeyId"]
    out.app.resolver.attrs[(logical_id, "Arn")] = meta["Arn"]
    out.app.resolver.attrs[(logical_id, "KeyId")] = meta["KeyId"]


def _create_kms_alias(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    aws("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
    out.app.resolver.refs[logical_id] = props["AliasName"]


def _create_secret(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("Name") or _default_name(out, logical_id)
    kwargs: dict[str, Any] = {"Name": name}
    if "SecretString" in props:
        kwargs["SecretString"] = props["SecretString"]
    elif "GenerateSecretString" in props:
        gen = props["GenerateSecretString"]
        value = secrets.token_urlsafe(int(gen.get("PasswordLength", 32)))
        if gen.get("SecretStringTemplate") and gen.get("GenerateStringKey"):
            doc = json.loads(gen["SecretStringTemplate"])
            doc[gen["GenerateStringKey"]] = value
            value = json.dumps(doc)
        kwargs["SecretString"] = value
    if props.get("KmsKeyId"):
        kwargs["KmsKeyId"] = props["KmsKeyId"]
    arn = aws("secretsmanager").create_secret(**kwargs)["ARN"]
    out.secrets[logical_id] = arn
    out.app.resolver.refs[logical_id] = arn
    out.app.resolver.attrs[(logical_id, "Id")] = arn


def _create_queue(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    """An SQS queue (the failed-events queue): Lambda's on-failure destinations and the scheduler's dead letters."""
    name = str(props.get("QueueName") or _default_name(out, logical_id))
    attributes = {k: str(props[k]) for k in ("MessageRetentionPeriod", "VisibilityTimeout", "DelaySeconds") if k in props}
    url = aws("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    r = out.app.resolver
    r.refs[logical_id] = url
    r.attrs[(logical_id, "Arn")] = f"arn:aws:sqs:{out.region}:{out.account_id}:{name}"
    r.attrs[(logical_id, "QueueName")] = name
    r.attrs[(logical_id, "QueueUrl")] = url


def _create_topic(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    """An SNS topic (the alarms' topic); its subscriptions and the alarms themselves do not exist locally."""
    name = str(props.get("TopicName") or _default_name(out, logical_id))
    arn = aws("sns").create_topic(Name=name)["TopicArn"]
    out.app.resolver.refs[logical_id] = arn
    out.app.resolver.attrs[(logical_id, "TopicArn")] = arn
    out.app.resolver.attrs[(logical_id, "TopicName")] = name


def _create_email_identity(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    identity = props["EmailIdentity"]
    aws("sesv2").create_email_identity(EmailIdentity=identity)
    out.email_identities.append(identity)
    out.app.resolver.refs[logical_id] = identity


_POOL_KEYS = ("Policies", "LambdaConfig", "AutoVerifiedAttributes", "AliasAttributes", "UsernameAttributes",
              "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
              "VerificationMessageTemplate", "MfaConfiguration", "DeviceConfiguration", "EmailConfiguration",
              "AdminCreateUserConfig", "Schema", "UsernameConfiguration", "AccountRecoverySetting",
              "UserAttributeUpdateSettings", "DeletionProtection")


def _create_user_pool(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("UserPoolName") or _default_name(out, logical_id)
    kwargs = {k: props[k] for k in _POOL_KEYS if k in props}
    if props.get("UserPoolTags"):
        kwargs["UserPoolTags"] = props["UserPoolTags"]
    for attribute in kwargs.get("Schema", []):  # CFN writes booleans/numbers loosely; the API wants strings
        for key in ("NumberAttributeConstraints", "StringAttributeConstraints"):
            if key in attribute:
                attribute[key] = {k: str(v) for k, v in attribute[key].items()}
    pool = aws("cognito-idp").create_user_pool(PoolName=name, **kwargs)["UserPool"]
    out.user_pools[logical_id] = pool["Id"]
    r = out.app.resolver
    r.refs[logical_id] = pool["Id"]
    r.attrs[(logical_id, "Arn")] = pool["Arn"]
    r.attrs[(logical_id, "ProviderName")] = f"cognito-idp.{out.region}.amazonaws.com/{pool['Id']}"
    r.attrs[(logical_id, "ProviderURL")] = f"https://cognito-idp.{out.region}.amazonaws.com/{pool['Id']}"
    r.attrs[(logical_id, "UserPoolId")] = pool["Id"]


_CLIENT_KEYS = ("GenerateSecret", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
                "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows",
                "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
                "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
                "PreventUserExistenceErrors", "EnableTokenRevocation", "AuthSessionValidity")


def _create_user_pool_client(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    pool_id = props["UserPoolId"]
    name = props.get("ClientName") or logical_id
    kwargs = {k: props[k] for k in _CLIENT_KEYS if k in props}
    created = aws("cognito-idp").create_user_pool_client(UserPoolId=pool_id, ClientName=name, **kwargs)
    client_id = created["UserPoolClient"]["ClientId"]
    out.user_pool_clients[logical_id] = (pool_id, client_id)
    out.app.resolver.refs[logical_id] = client_id
    out.app.resolver.attrs[(logical_id, "ClientId")] = client_id


def _create_user_pool_group(aws: _Clients, out: Provisioned, logical_id: str, props: dict[str, Any]) -> None:
    kwargs = {k: props[k] for k in ("Description", "Precedence", "RoleArn") if k in props}
    aws("cognito-idp").create_group(GroupName=props["GroupName"], UserPoolId=props["UserPoolId"], **kwargs)
    out.app.resolver.refs[logical_id] = props["GroupName"]


# Per-function variables that only mean something in AWS: what X-Ray patches when tracing is on (never locally,
# where Powertools' tracer is off). Left out of the shared process environment.
AWS_ONLY_VARIABLES = frozenset({"TRACED_LIBRARIES"})


def _merged_environment(app: SamApp, resolver: Resolver, extra: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for fn in app.functions.values():
        try:
            env = resolver.resolve(fn.environment)
        except UnresolvedReference as exc:
            raise TemplateError(f"{fn.logical_id}: {exc}") from exc
        for key, value in env.items():
            if key in AWS_ONLY_VARIABLES:
                continue
            text = _env_text(value)
            if key in merged and merged[key] != text:
                raise TemplateError(
                    f"environment variable {key} differs between {owner[key]} ({merged[key]!r}) and "
                    f"{fn.logical_id} ({text!r}); locally all handlers share one process environment")
            merged[key], owner[key] = text, fn.logical_id
    merged.update(extra)
    return merged


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _lambda_role(aws: _Clients) -> str:
    iam = aws("iam")
    try:
        return str(iam.get_role(RoleName=LAMBDA_ROLE_NAME)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(iam.create_role(RoleName=LAMBDA_ROLE_NAME, AssumeRolePolicyDocument=_ASSUME_LAMBDA)["Role"]["Arn"])


def _dummy_zip(handler: str) -> bytes:
    """A zip moto accepts; the code in it never runs (the in-process hook imports the real handler)."""
    buffer = io.BytesIO()
    module = handler.rpartition(".")[0].replace(".", "/") or "app"
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(f"{module}.py", "def lambda_handler(event, context):\n    raise RuntimeError('local stub')\n")
    return buffer.getvalue()


def _create_function(aws: _Clients, out: Provisioned, fn: FunctionSpec, role_arn: str) -> None:
    resolver = out.app.resolver
    code_dir = (out.app.base_dir / fn.code_uri).resolve()
    if str(out.app.base_dir) not in sys.path:
        sys.path.append(str(out.app.base_dir))  # so handler modules below the template are importable
    module, attribute = handler_module(code_dir, fn.handler)
    fn.module = f"{module}.{attribute}"
    env = {k: _env_text(v) for k, v in resolver.resolve(fn.environment).items()}
    aws("lambda").create_function(
        FunctionName=fn.name,
        Runtime=fn.runtime,
        Role=role_arn,
        Handler=fn.handler,
        Code={"ZipFile": _dummy_zip(fn.handler)},
        Timeout=fn.timeout,
        MemorySize=fn.memory_size,
        Architectures=fn.architectures,
        Environment={"Variables": env},
    )


def _create_state_machine(aws: _Clients, out: Provisioned, logical_id: str, res: dict[str, Any],
                          role_arn: str) -> None:
    resolver = out.app.resolver
    props = res.get("Properties") or {}
    substitutions = {k: str(v) for k, v in resolver.resolve(props.get("DefinitionSubstitutions") or {}).items()}
    if "DefinitionUri" in props:
        uri = props["DefinitionUri"]
        if not isinstance(uri, str):
            raise TemplateError(f"{logical_id}: only a local DefinitionUri path is supported")
        text = (out.app.base_dir / uri).read_text(encoding="utf-8")
    elif "Definition" in props:
        text = json.dumps(resolver.resolve(props["Definition"]))
    elif "DefinitionString" in props:
        text = str(resolver.resolve(props["DefinitionString"]))
    else:
        raise TemplateError(f"{logical_id}: no Definition, DefinitionUri or DefinitionString")
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", value)
    for key in ("AWS::Region", "AWS::AccountId", "AWS::Partition"):
        text = text.replace("${" + key + "}", str(resolver.refs[key]))
    name = resolver.attrs[(logical_id, "Name")]
    kind = str(props.get("Type", "STANDARD")).upper()
    aws("stepfunctions").create_state_machine(name=name, definition=text, roleArn=role_arn, type=kind)


def _configure_bucket_notifications(aws: _Clients, out: Provisioned) -> None:
    """One LambdaFunctionConfiguration per SAM S3 event (bucket notifications are per bucket, set at once)."""
    per_bucket: dict[str, list[dict[str, Any]]] = {}
    for trigger in out.app.s3_triggers:
        fn = out.app.functions[trigger.function]
        rules = [{"Name": "prefix", "Value": trigger.prefix}] if trigger.prefix is not None else []
        if trigger.suffix is not None:
            rules.append({"Name": "suffix", "Value": trigger.suffix})
        config: dict[str, Any] = {
            "Id": f"{trigger.function}-{len(per_bucket.get(trigger.bucket, []))}",
            "LambdaFunctionArn": out.app.resolver.attrs[(fn.logical_id, "Arn")],
            "Events": list(trigger.events),
        }
        if rules:
            config["Filter"] = {"Key": {"FilterRules": rules}}
        per_bucket.setdefault(trigger.bucket, []).append(config)
    for logical_id, configs in per_bucket.items():
        if logical_id not in out.buckets:
            raise TemplateError(f"S3 event names bucket {logical_id}, which the template does not declare")
        aws("s3").put_bucket_notification_configuration(
            Bucket=out.buckets[logical_id],
            NotificationConfiguration={"LambdaFunctionConfigurations": configs},
        )
