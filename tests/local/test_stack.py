"""stack.py: a real ``serve()`` over HTTP on an ephemeral port, clean stops, and --data-dir restarts."""

from __future__ import annotations

import datetime as dt
import importlib
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from boekstuk_local.stack import (
    StackHandle,
    main_up,
    serve,
    start_stack,
    start_stack_in_thread,
    wait_until_healthy,
)

from .conftest import TEMPLATE

REPO = Path(__file__).resolve().parents[2]


def _client(handle: StackHandle, service: str) -> Any:
    return boto3.client(service, endpoint_url=handle.moto_url, region_name="eu-west-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_serve_answers_over_http_then_stops_cleanly() -> None:
    ready = threading.Event()
    handles: list[StackHandle] = []

    def on_ready(handle: StackHandle) -> None:
        handles.append(handle)
        ready.set()

    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(serve(port=0, on_ready=on_ready, template=TEMPLATE)))
    thread.start()
    try:
        assert ready.wait(60), "stack did not start"
        handle = handles[0]
        wait_until_healthy(handle.url, timeout=30)
        health = requests.get(f"{handle.url}/v1/health", timeout=10)
        assert health.status_code == 200 and health.json()["resource"] == "/v1/health"
        missing = requests.get(f"{handle.url}/v1/items/1", timeout=10)
        assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"
        index = requests.get(f"{handle.url}/", timeout=10)
        assert index.status_code == 200 and "AWS emulator" in index.text
        # the simulators run and their inspection endpoint is proxied
        assert handle.simulators, "no simulators started"
        package, server = sorted(handle.simulators.items())[0]
        direct = requests.get(f"{server.base_url}/_local/administrations/none/entries", timeout=10)
        proxied = requests.get(f"{handle.url}/_local/packages/{package}/administrations/none/entries", timeout=10)
        assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
        # handlers run in-process against the moto server (S3 trigger -> DynamoDB over HTTP), after the PUT
        # answered (S3 events are asynchronous, as in AWS)
        bucket = handle.provisioned.buckets["DocumentsBucket"]  # type: ignore[union-attr]
        _client(handle, "s3").put_object(Bucket=bucket, Key="inbox/x.pdf", Body=b"%PDF")
        table = handle.provisioned.tables["Table"]  # type: ignore[union-attr]
        _wait_for(lambda: _client(handle, "dynamodb").scan(TableName=table)["Items"])
        items = _client(handle, "dynamodb").scan(TableName=table)["Items"]
        assert [i["sk"]["S"] for i in items] == ["inbox/x.pdf"]
        fired = requests.post(f"{handle.url}/_local/schedules/ScheduledFunction", timeout=10)
        assert fired.status_code == 200 and fired.json()["result"] == {"ok": True}
        assert "PACKAGE_APPS" in handle.provisioned.environment  # type: ignore[union-attr]
        apps = json.loads(handle.provisioned.environment["PACKAGE_APPS"])  # type: ignore[union-attr]
        assert {a["package"] for a in apps} == set(handle.simulators)
        url = handle.url
    finally:
        if handles:
            handles[0].stop()
        thread.join(30)
    assert not thread.is_alive() and result == [0]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/v1/health", timeout=2)


def _wait_for(condition: Any, timeout: float = 15.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_data_dir_keeps_items_objects_logins_mail_and_simulator_state(tmp_path: Path) -> None:
    first = start_stack_in_thread(port=0, data_dir=tmp_path, template=TEMPLATE)
    try:
        prov = first.provisioned
        assert prov is not None
        table, bucket = prov.tables["Table"], prov.buckets["DocumentsBucket"]
        pool_id = prov.user_pools["UserPool"]
        _client(first, "dynamodb").put_item(TableName=table, Item={"pk": {"S": "keep"}, "sk": {"S": "me"},
                                                                   "blob": {"B": b"\x00\x01"}})
        _client(first, "s3").put_object(Bucket=bucket, Key="kept/a.pdf", Body=b"%PDF-bytes", ContentType="application/pdf")
        idp = _client(first, "cognito-idp")
        idp.admin_create_user(UserPoolId=pool_id, Username="anna", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "custom:office_code", "Value": "devries"}])
        idp.admin_set_user_password(UserPoolId=pool_id, Username="anna", Password="a long password 1",
                                    Permanent=True)
        sub = idp.admin_get_user(UserPoolId=pool_id, Username="anna")["UserAttributes"]
        _, client_id = prov.user_pool_clients["UserPoolClient"]
        old_token = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "anna", "PASSWORD": "a long password 1"})["AuthenticationResult"]["AccessToken"]
        first_ids = (pool_id, client_id)
        _client(first, "secretsmanager").create_secret(Name="boekstuk_local/x", SecretString="s3cret")
        _client(first, "sesv2").send_email(
            FromEmailAddress="noreply@boekstuk.test", Destination={"ToAddresses": ["anna@devries.nl"]},
            Content={"Simple": {"Subject": {"Data": "Hoi"}, "Body": {"Text": {"Data": "code 123456"}}}})
        # a workflow parked on a task token (like a document awaiting approval) when the stack stops
        task = importlib.import_module(prov.functions["TaskFunction"].module.rsplit(".", 1)[0])
        sfn = _client(first, "stepfunctions")
        sfn.start_execution(stateMachineArn=prov.state_machines["Flow"], name="parked",
                            input=json.dumps({"id": "parked", "park": True}))
        _wait_for(lambda: "parked" in task.TOKENS)
        old_task_token = task.TOKENS["parked"]
        sim = next(iter(first.simulators.values()))
        state = sim.simulator.snapshot()
        state.setdefault("counters", {})["boekstuk-test"] = 7
        sim.simulator.restore(state)
        package = sim.package_id
    finally:
        first.stop()
    assert (tmp_path / "state.json").is_file()

    second = start_stack_in_thread(port=0, data_dir=tmp_path, template=TEMPLATE)
    try:
        prov = second.provisioned
        assert prov is not None
        item = _client(second, "dynamodb").get_item(TableName=table, Key={"pk": {"S": "keep"}, "sk": {"S": "me"}})
        assert item["Item"]["blob"]["B"] == b"\x00\x01"
        obj = _client(second, "s3").get_object(Bucket=bucket, Key="kept/a.pdf")
        assert obj["Body"].read() == b"%PDF-bytes" and obj["ContentType"] == "application/pdf"
        # the bucket's notifications are back after the restore
        notif = _client(second, "s3").get_bucket_notification_configuration(Bucket=bucket)
        assert len(notif["LambdaFunctionConfigurations"]) == 1
        pool_id = prov.user_pools["UserPool"]
        _, client_id = prov.user_pool_clients["UserPoolClient"]
        idp = _client(second, "cognito-idp")
        auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "anna", "PASSWORD": "a long password 1"})
        token = auth["AuthenticationResult"]["AccessToken"]
        assert idp.admin_get_user(UserPoolId=pool_id, Username="anna")["UserAttributes"] == sub
        answer = requests.get(f"{second.url}/v1/items/1", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["claims"]["username"] == "anna"
        # the pool and client keep their ids, so a token from before the restart is still accepted
        assert (pool_id, client_id) == first_ids
        assert os.environ["USER_POOL_ID"] == pool_id and second.provisioned.environment["USER_POOL_CLIENT_ID"] == client_id
        answer = requests.get(f"{second.url}/v1/items/1", headers={"Authorization": f"Bearer {old_token}"}, timeout=10)
        assert answer.status_code == 200
        secret = _client(second, "secretsmanager").get_secret_value(SecretId="boekstuk_local/x")
        assert secret["SecretString"] == "s3cret"
        mail = requests.get(f"{second.url}/_local/mail?to=anna@devries.nl", timeout=10).json()["messages"]
        assert [m["codes"] for m in mail] == [["123456"]]
        assert second.simulators[package].simulator.snapshot()["counters"]["boekstuk-test"] == 7
        # the parked workflow was started again: it parked with a new token, which completes it
        assert second.resumed_executions == 1 and "Resumed workflows" in second.banner()
        _wait_for(lambda: task.TOKENS["parked"] != old_task_token)
        sfn = _client(second, "stepfunctions")
        sfn.send_task_success(taskToken=task.TOKENS["parked"], output=json.dumps({"approved": True}))
        arn = f"{prov.state_machines['Flow'].replace(':stateMachine:', ':execution:')}:parked"
        _wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")
        assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    finally:
        second.stop()


def test_sigterm_stops_the_cli_process_cleanly() -> None:
    code = ("import sys; from boekstuk_local.stack import main_up; "
            f"sys.exit(main_up(['--port', '0', '--no-simulators', '--template', {str(TEMPLATE)!r}]))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = None
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip().startswith("Health"):
                url = line.split()[-1]
                break
        assert url, "no banner"
        assert requests.get(url, timeout=10).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_main_up_refuses_a_non_loopback_host() -> None:
    assert main_up(["--host", "0.0.0.0", "--port", "0"]) == 2


def _listening_addresses() -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The local address of every TCP socket this process listens on (Linux /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(fields[1].split(":")[0])
            # The kernel prints each 32-bit word of the address in host (little-endian) order.
            packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.append(ipaddress.ip_address(packed))
    return found


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.nl"])
def test_the_stack_refuses_to_listen_beyond_loopback(host: str) -> None:
    before = _listening_addresses()
    with pytest.raises(ValueError, match="loopback only"):
        start_stack(host, port=0, template=TEMPLATE)
    assert _listening_addresses() == before


def test_every_server_of_a_running_stack_listens_on_loopback_only() -> None:
    handle = start_stack_in_thread(port=0, template=TEMPLATE)
    try:
        addresses = _listening_addresses()
    finally:
        handle.stop()
    assert len(handle.simulators) == 5 and len(addresses) >= 7  # API, emulator, five simulators
    assert all(address.is_loopback for address in addresses), addresses


def test_wait_until_healthy_times_out_on_a_closed_port() -> None:
    with pytest.raises(TimeoutError):
        wait_until_healthy("http://127.0.0.1:9", timeout=0.5)


def test_timer_fires_schedules_when_due_and_state_is_saved_periodically(tmp_path: Path) -> None:
    import datetime as dt
    import time

    handle = start_stack_in_thread(port=0, data_dir=tmp_path, template=TEMPLATE, simulators=False)
    try:
        assert handle.provisioned is not None
        table = handle.provisioned.tables["Table"]
        started = dt.datetime.now(dt.UTC)
        assert handle.schedule_runs == []
        handle.clock = lambda: started + dt.timedelta(days=1, minutes=1)  # rate(1 day) is now due
        handle.save_every = 0.3
        deadline = time.monotonic() + 10
        while not handle.schedule_runs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [run[0] for run in handle.schedule_runs] == ["ScheduledFunction"]
        items = _client(handle, "dynamodb").scan(TableName=table)["Items"]
        assert [i["detail_type"]["S"] for i in items] == ["Scheduled Event"]
        # the periodic save picks the fired schedule's row up without a stop
        deadline = time.monotonic() + 10
        saved: dict[str, Any] = {}
        while time.monotonic() < deadline:
            if (tmp_path / "state.json").is_file():
                saved = json.loads((tmp_path / "state.json").read_text())
                if saved["tables"]["Table"]:
                    break
            time.sleep(0.1)
        assert [i["pk"]["S"] for i in saved["tables"]["Table"]] == ["schedule"]
        # Step Functions run against the server too: the Lambda task calls back into it (MOTO_PORT)
        sfn = _client(handle, "stepfunctions")
        arn = sfn.start_execution(stateMachineArn=handle.provisioned.state_machines["Flow"], name="srv",
                                  input=json.dumps({"id": "srv", "refuse": True}))["executionArn"]
        deadline = time.monotonic() + 20
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.05)
        done = sfn.describe_execution(executionArn=arn)
        assert done["status"] == "SUCCEEDED" and json.loads(done["output"])["error"] == "BookingRefused"
        # InvocationType=Event returns 202 while the handler still runs (it waits on a gate here)
        import importlib

        task = importlib.import_module(handle.provisioned.functions["TaskFunction"].module.rsplit(".", 1)[0])
        task.GATE.clear()
        answer = _client(handle, "lambda").invoke(FunctionName="TaskFunction", InvocationType="Event",
                                                  Payload=json.dumps({"id": "async", "wait_gate": True}))
        assert answer["StatusCode"] == 202 and "async" not in task.ATTEMPTS
        task.GATE.set()
        deadline = time.monotonic() + 10
        while "async" not in task.ATTEMPTS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert task.ATTEMPTS["async"] == 1
    finally:
        handle.stop()


def test_a_running_stack_and_a_harness_refuse_to_share_a_process() -> None:
    from boekstuk_local.testing import local_aws

    handle = start_stack_in_thread(port=0, template=TEMPLATE, simulators=False)
    try:
        with pytest.raises(RuntimeError, match="local stack runs"), local_aws(TEMPLATE):
            pass
    finally:
        handle.stop()
    with local_aws(TEMPLATE), pytest.raises(RuntimeError, match="harness is open"):
        start_stack_in_thread(port=0, template=TEMPLATE, simulators=False)


def test_a_busy_port_fails_cleanly_and_leaves_nothing_running(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from boekstuk_local.testing import RUNNING_STACKS

    env_before = dict(os.environ)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main_up(["--port", str(port), "--template", str(TEMPLATE)]) == 2
    assert "boekstuk up:" in capsys.readouterr().err
    assert set() == RUNNING_STACKS
    assert dict(os.environ) == env_before


def _an_hour_earlier(url: str) -> str:
    """``url`` as if it had been presigned an hour earlier (the emulator checks no signature, so the only change
    is the time in it: SigV4's ``X-Amz-Date`` or SigV2's ``Expires``)."""
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    earlier = re.sub(r"X-Amz-Date=\d{8}T\d{6}Z", f"X-Amz-Date={an_hour_ago:%Y%m%dT%H%M%SZ}", url)
    earlier = re.sub(r"([?&]Expires=)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) - 3600}", earlier)
    assert earlier != url
    return earlier


@pytest.mark.parametrize("signature", ["s3v4", "s3"])
def test_an_expired_presigned_url_is_refused_as_s3_would(signature: str) -> None:
    handle = start_stack_in_thread(port=0, template=TEMPLATE, simulators=False)
    try:
        s3 = boto3.client("s3", endpoint_url=handle.moto_url, region_name="eu-west-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(signature_version=signature))
        bucket = handle.provisioned.buckets["DocumentsBucket"]  # type: ignore[union-attr]
        key = f"uploads/{signature}-{uuid.uuid4().hex}.pdf"  # its own key: nothing else in the worker touches it
        url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=900)
        refused = requests.put(_an_hour_earlier(url), data=b"%PDF-late", timeout=10)
        assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text, refused.text
        assert "Request has expired" in refused.text
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=key)
        assert requests.put(url, data=b"%PDF-in-time", timeout=10).status_code == 200
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"%PDF-in-time"
        assert requests.get(_an_hour_earlier(s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)), timeout=10).status_code == 403
    finally:
        handle.stop()


def test_an_upload_the_stopped_stack_had_not_processed_is_delivered_again_after_the_restart(tmp_path: Path) -> None:
    """As AWS retries an S3 event whose function never ran: the restart delivers every object an S3 trigger takes
    that no handler finished with, and only those."""
    from boekstuk_local import lambda_hook

    first = start_stack_in_thread(port=0, data_dir=tmp_path, template=TEMPLATE, simulators=False)
    try:
        prov = first.provisioned
        assert prov is not None
        table, bucket = prov.tables["Table"], prov.buckets["DocumentsBucket"]
        s3 = _client(first, "s3")
        s3.put_object(Bucket=bucket, Key="inbox/done.pdf", Body=b"%PDF-1")
        _wait_for(lambda: "Item" in _client(first, "dynamodb").get_item(
            TableName=table, Key={"pk": {"S": "s3"}, "sk": {"S": "inbox/done.pdf"}}))
        # From here no handler runs (the process is "killed" before the event's function starts): the object is
        # stored, its notification waits at the gate and is never handled by this stack.
        with lambda_hook.GATE.closed(5, reopen=False) as quiet:
            assert quiet
            s3.put_object(Bucket=bucket, Key="inbox/waiting kopie.pdf", Body=b"%PDF-2")
            s3.put_object(Bucket=bucket, Key="kept/not-a-trigger.pdf", Body=b"%PDF-3")
    finally:
        first.stop()
    saved = json.loads((tmp_path / "state.json").read_text())
    assert sorted(i["sk"]["S"] for i in saved["tables"]["Table"] if i["pk"]["S"] == "s3") == ["inbox/done.pdf"]

    second = start_stack_in_thread(port=0, data_dir=tmp_path, template=TEMPLATE, simulators=False)
    try:
        assert second.provisioned is not None
        # The test template's function keeps no document records, so both inbox/ objects go again (the real
        # intake skips objects whose document got past its intake); kept/ has no trigger.
        assert second.redelivered == (2, 0) and "Delivered again" in second.banner()
        ddb = _client(second, "dynamodb")
        _wait_for(lambda: "Item" in ddb.get_item(TableName=second.provisioned.tables["Table"],
                                                 Key={"pk": {"S": "s3"}, "sk": {"S": "inbox/waiting kopie.pdf"}}))
        seen = ddb.scan(TableName=second.provisioned.tables["Table"])["Items"]
        assert sorted(i["sk"]["S"] for i in seen if i["pk"]["S"] == "s3") == ["inbox/done.pdf",
                                                                              "inbox/waiting kopie.pdf"]
    finally:
        second.stop()
