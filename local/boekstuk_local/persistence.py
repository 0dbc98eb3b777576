"""Keep the local stack's state across restarts (``boekstuk up --data-dir D``).

moto keeps everything in memory. On a clean stop (and periodically) this writes one JSON document with
the DynamoDB items, S3 objects, Cognito users (with their passwords, so logins keep working), secrets,
sent mail and the simulators' state; on start it is loaded back before the API serves a request.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from boekstuk_local.mail import MAILBOX
from boekstuk_local.provision import Provisioned, client

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
FORMAT_VERSION = 1


def _encode(value: Any) -> Any:
    """DynamoDB JSON with bytes made JSON-safe."""
    if isinstance(value, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _cognito_pool(prov: Provisioned, pool_id: str) -> Any:
    """moto's in-process user pool (passwords are not readable through the API)."""
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[prov.account_id][prov.region].user_pools[pool_id]


def snapshot(prov: Provisioned, simulators: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything worth keeping, as one JSON-able document."""
    aws = {s: client(s, prov.endpoint_url, prov.region) for s in ("dynamodb", "s3", "secretsmanager")}
    tables: dict[str, list[Any]] = {}
    for logical_id, name in prov.tables.items():
        items: list[Any] = []
        for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=name):
            items.extend(_encode(page["Items"]))
        tables[logical_id] = items
    buckets: dict[str, list[dict[str, Any]]] = {}
    for logical_id, name in prov.buckets.items():
        objects = []
        for page in aws["s3"].get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                got = aws["s3"].get_object(Bucket=name, Key=entry["Key"])
                objects.append({"key": entry["Key"], "content_type": got.get("ContentType"),
                                "metadata": got.get("Metadata") or {},
                                "body": base64.b64encode(got["Body"].read()).decode()})
        buckets[logical_id] = objects
    users: dict[str, list[dict[str, Any]]] = {}
    for logical_id, pool_id in prov.user_pools.items():
        pool = _cognito_pool(prov, pool_id)
        users[logical_id] = [{
            "username": u.username, "sub": u.id, "password": u.password, "status": u.status, "enabled": u.enabled,
            "attributes": [a for a in u.attributes if a["Name"] != "sub"],
            "groups": sorted(g.group_name for g in u.groups),
        } for u in pool.users.values()]
    secrets = []
    for page in aws["secretsmanager"].get_paginator("list_secrets").paginate():
        for entry in page["SecretList"]:
            try:
                value = aws["secretsmanager"].get_secret_value(SecretId=entry["ARN"])
            except ClientError as exc:  # e.g. scheduled for deletion: nothing to keep, never fail the save
                log.info("not keeping secret %s: %s", entry["Name"], exc)
                continue
            secrets.append({"name": entry["Name"], "description": entry.get("Description"),
                            "string": value.get("SecretString"),
                            "binary": base64.b64encode(value["SecretBinary"]).decode() if "SecretBinary" in value else None})
    sims = {}
    for package_id, server in (simulators or {}).items():
        sims[package_id] = server.simulator.snapshot()
    sfn = client("stepfunctions", prov.endpoint_url, prov.region)
    executions: dict[str, list[dict[str, Any]]] = {}
    for logical_id, arn in prov.state_machines.items():
        running = []
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING"):
            for entry in page["executions"]:
                described = sfn.describe_execution(executionArn=entry["executionArn"])
                running.append({"name": entry["name"], "input": described.get("input", "{}")})
        executions[logical_id] = running
    identity = {
        "pools": dict(prov.user_pools),
        "clients": {logical: client_id for logical, (_, client_id) in prov.user_pool_clients.items()},
    }
    return {
        "version": FORMAT_VERSION,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(),
        "identity": identity, "tables": tables, "buckets": buckets, "users": users, "secrets": secrets,
        "mail": MAILBOX.snapshot(), "simulators": sims, "executions": executions,
    }


def _keep_identity_ids(prov: Provisioned, saved: Mapping[str, Any]) -> None:
    """Give the new user pools and app clients the ids they had before the restart.

    Access tokens name the pool (issuer) and the client, so with the old ids a token issued before the
    restart still passes the authorizer, and USER_POOL_ID / USER_POOL_CLIENT_ID stay the same.
    """
    from moto.cognitoidp.models import cognitoidp_backends

    backend = cognitoidp_backends[prov.account_id][prov.region]
    renamed: dict[str, str] = {}
    resolver = prov.resolver
    for logical, old_id in (saved.get("pools") or {}).items():
        new_id = prov.user_pools.get(logical)
        if new_id is None or new_id == old_id:
            continue
        pool = backend.user_pools.pop(new_id)
        pool.id, pool.arn = old_id, pool.arn.replace(new_id, old_id)
        backend.user_pools[old_id] = pool
        members: list[Any] = [*pool.clients.values(), *pool.groups.values(), *pool.users.values()]
        for member in members:
            member.user_pool_id = old_id
        prov.user_pools[logical] = old_id
        renamed[new_id] = old_id
        resolver.refs[logical] = old_id
        for attribute in ("Arn", "ProviderName", "ProviderURL", "UserPoolId"):
            if (logical, attribute) in resolver.attrs:
                resolver.attrs[(logical, attribute)] = str(resolver.attrs[(logical, attribute)]).replace(new_id, old_id)
    for logical, old_client in (saved.get("clients") or {}).items():
        if logical not in prov.user_pool_clients:
            continue
        pool_id, new_client = prov.user_pool_clients[logical]
        pool_id = renamed.get(pool_id, pool_id)
        pool = backend.user_pools[pool_id]
        if new_client != old_client:
            client_model = pool.clients.pop(new_client)
            client_model.id = old_client
            pool.clients[old_client] = client_model
            renamed[new_client] = old_client
        prov.user_pool_clients[logical] = (pool_id, old_client)
        resolver.refs[logical] = old_client
        resolver.attrs[(logical, "ClientId")] = old_client
    for key, value in list(prov.environment.items()):
        for new, old in renamed.items():
            value = value.replace(new, old)
        prov.environment[key] = value


def restore(prov: Provisioned, data: Mapping[str, Any], simulators: Mapping[str, Any] | None = None) -> None:
    """Load a snapshot into freshly provisioned resources (no S3 triggers fire while restoring).

    Call it before the handlers' environment is applied: it may change ``prov.environment``.
    """
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported state format {data.get('version')!r}")
    _keep_identity_ids(prov, data.get("identity") or {})
    ddb = client("dynamodb", prov.endpoint_url, prov.region)
    for logical_id, items in (data.get("tables") or {}).items():
        name = prov.tables.get(logical_id)
        if name is None:
            log.warning("state has table %s, which the template no longer declares", logical_id)
            continue
        for item in items:
            ddb.put_item(TableName=name, Item=_decode(item))
    s3 = client("s3", prov.endpoint_url, prov.region)
    for logical_id, objects in (data.get("buckets") or {}).items():
        name = prov.buckets.get(logical_id)
        if name is None:
            continue
        # Objects are restored, not uploaded: switch the bucket's notifications off meanwhile.
        notifications = s3.get_bucket_notification_configuration(Bucket=name)
        notifications.pop("ResponseMetadata", None)
        s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={})
        try:
            for obj in objects:
                extra = {"ContentType": obj["content_type"]} if obj.get("content_type") else {}
                s3.put_object(Bucket=name, Key=obj["key"], Body=base64.b64decode(obj["body"]),
                              Metadata=obj.get("metadata") or {}, **extra)
        finally:
            s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notifications)
    idp = client("cognito-idp", prov.endpoint_url, prov.region)
    for logical_id, users in (data.get("users") or {}).items():
        pool_id = prov.user_pools.get(logical_id)
        if pool_id is None:
            continue
        for user in users:
            idp.admin_create_user(UserPoolId=pool_id, Username=user["username"], MessageAction="SUPPRESS",
                                  UserAttributes=user["attributes"])
            for group in user["groups"]:
                idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user["username"], GroupName=group)
            # The password and the sub are kept as they were (tokens carry the sub; DynamoDB may too).
            model = _cognito_pool(prov, pool_id).users[user["username"]]
            model.password = user["password"]
            model.status = user["status"]
            model.enabled = user["enabled"]
            model.id = user["sub"]
            model.update_attributes([{"Name": "sub", "Value": user["sub"]}])
    sm = client("secretsmanager", prov.endpoint_url, prov.region)
    for secret in data.get("secrets") or []:
        value: dict[str, Any] = ({"SecretString": secret["string"]} if secret.get("string") is not None
                                 else {"SecretBinary": base64.b64decode(secret["binary"] or "")})
        try:
            sm.create_secret(Name=secret["name"], **value)
        except sm.exceptions.ResourceExistsException:
            sm.put_secret_value(SecretId=secret["name"], **value)
    MAILBOX.restore(data.get("mail") or [])
    for package_id, state in (data.get("simulators") or {}).items():
        server = (simulators or {}).get(package_id)
        if server is not None:
            server.simulator.restore(state)


def resume_executions(prov: Provisioned, data: Mapping[str, Any]) -> int:
    """Start again, from the beginning and with their original input and name, the workflow executions that
    were running when the state was saved; returns how many.

    moto cannot persist an execution (a task token parked for approval dies with the process), so a
    document awaiting approval would be stuck after a restart. The workflow is idempotent by design
    (the approval step stores a fresh token, booking is exactly-once), so re-running it is safe.
    Call it once the handlers are registered and their environment is applied.
    """
    sfn = client("stepfunctions", prov.endpoint_url, prov.region)
    count = 0
    for logical_id, executions in (data.get("executions") or {}).items():
        arn = prov.state_machines.get(logical_id)
        if arn is None:
            continue
        for execution in executions:
            sfn.start_execution(stateMachineArn=arn, name=execution["name"], input=execution["input"])
            count += 1
    return count


# A document in one of these has a workflow execution that should be running; in these its intake is unfinished.
_WORKFLOW_STATUSES = frozenset({"awaiting_approval", "approved", "booking"})
_INTAKE_STATUSES = frozenset({"received", "recognizing"})


def _saved_documents(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document items of the saved tables, as plain values."""
    from boto3.dynamodb.types import TypeDeserializer

    plain = TypeDeserializer()
    documents = []
    for items in (data.get("tables") or {}).values():
        for item in items:
            pk, sk = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
            if pk.startswith("OFFICE#") and sk.startswith("DOC#") and "status" in item:
                documents.append({k: plain.deserialize(v) for k, v in _decode(item).items()})
    return documents


def _s3_event(bucket: str, key: str, size: int, etag: str, version_id: str | None, region: str) -> dict[str, Any]:
    """An ``ObjectCreated`` notification as S3 sends it (the key URL-encoded, spaces as '+')."""
    from urllib.parse import quote_plus

    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"')}
    if version_id and version_id != "null":
        obj["versionId"] = version_id
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": region,
        "eventTime": dt.datetime.now(dt.UTC).isoformat(), "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": obj},
    }]}


def redeliver_unfinished(prov: Provisioned, data: Mapping[str, Any]) -> tuple[int, int]:
    """After a restart, deliver again what the stopped process had not finished, as AWS's retries would:
    every stored object an S3 trigger takes whose document never got past its intake (or that no document took
    yet) goes to its function once more, and every document waiting in the workflow without a resumed execution
    gets one. Returns ``(objects, workflows)``.

    Both are safe to repeat by design (the intake resumes or ignores an object it saw; the workflow re-parks an
    approval and books exactly once), so delivering too much costs a little time and delivering too little
    would leave a document stuck. Call it after ``resume_executions``.
    """
    documents = _saved_documents(data)
    done_keys = {(d.get("s3_key"), d.get("upload_etag")) for d in documents
                 if d["status"] not in _INTAKE_STATUSES and not d.get("awaiting_upload")}
    s3 = client("s3", prov.endpoint_url, prov.region)
    lam = client("lambda", prov.endpoint_url, prov.region)
    objects = 0
    for trigger in prov.app.s3_triggers:
        bucket = prov.buckets.get(trigger.bucket)
        function = prov.functions.get(trigger.function)
        if bucket is None or function is None:
            continue
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=trigger.prefix or "")
        for entry in (e for page in pages for e in page.get("Contents", [])):
            key, etag = entry["Key"], entry["ETag"].strip('"')
            if trigger.suffix and not key.endswith(trigger.suffix) or (key, etag) in done_keys:
                continue
            head = s3.head_object(Bucket=bucket, Key=key)
            event = _s3_event(bucket, key, entry["Size"], etag, head.get("VersionId"), prov.region)
            lam.invoke(FunctionName=function.name, InvocationType="Event", Payload=json.dumps(event).encode())
            objects += 1
    resumed = {json.loads(e["input"]).get("document_id") for runs in (data.get("executions") or {}).values()
               for e in runs}
    sfn = client("stepfunctions", prov.endpoint_url, prov.region)
    workflows = 0
    for machine_arn in prov.state_machines.values():
        for document in documents:
            if document["status"] not in _WORKFLOW_STATUSES or document["document_id"] in resumed:
                continue
            try:  # the name the intake gives a document's first execution: one per document
                sfn.start_execution(stateMachineArn=machine_arn, name=f"doc-{document['document_id']}",
                                    input=json.dumps({"office": document["office_code"],
                                                      "document_id": document["document_id"]}))
                workflows += 1
            except sfn.exceptions.ExecutionAlreadyExists:
                continue
    return objects, workflows


def save(data_dir: Path, data: Mapping[str, Any]) -> Path:
    """Write the snapshot atomically (temp file + rename), so a crash never leaves half a state file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / STATE_FILE
    fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def load(data_dir: Path) -> dict[str, Any] | None:
    """The saved snapshot, or ``None`` when the data dir holds none yet."""
    target = data_dir / STATE_FILE
    if not target.is_file():
        return None
    loaded: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return loaded
