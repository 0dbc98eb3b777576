"""The embedded local stack: AWS emulator, resources from template.yaml, API gateway, simulators, CLI glue.

Entry points:

- ``boekstuk_local.stack.main_up(argv)`` / ``serve(host, port, data_dir, on_ready)``: ``boekstuk up
  [--host 127.0.0.1] [--port 3000] [--data-dir D] [--template T] [--no-simulators]``.
- ``boekstuk_local.stack.start_stack_in_thread(port=0, data_dir=None)`` -> handle with ``.url``, ``.stop()``,
  ``.simulators``, ``.moto_url``, ``.provisioned``; ``wait_until_healthy(url, timeout)``.
- ``boekstuk_local.testing.local_aws(template=None, simulators=False)``: in-process harness (mock_aws) with
  ``.api_call``, ``.access_token``, ``.login``, ``.create_user``, ``.fire_schedule``, ``.mail``, ``.client``.
- ``boekstuk_local.pytest_plugin``: fixtures ``boekstuk_aws``, ``boekstuk_aws_with_simulators``, ``boekstuk_stack``.
- Building blocks: ``template`` (SAM parsing, intrinsics), ``provision`` (boto3 bootstrap), ``lambda_hook``
  (in-process Lambda), ``gateway`` (API Gateway + Cognito authorizer), ``mail``, ``schedules``, ``persistence``.
"""
