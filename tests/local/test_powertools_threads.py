"""Handlers on threads of one process each see their own event (``powertools_patches``): Powertools keeps the
current event on its router class, which in the local stack every concurrent request shares."""

from __future__ import annotations

import json
import threading
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from boekstuk_local import powertools_patches


def _event(path: str) -> dict[str, Any]:
    return {"httpMethod": "GET", "path": path, "resource": "/{proxy+}", "headers": {}, "body": None,
            "requestContext": {"requestId": path, "stage": "v1", "authorizer": {"claims": {"username": path}}}}


def test_two_resolvers_resolving_at_once_each_read_their_own_event() -> None:
    powertools_patches.install()
    both_inside = threading.Barrier(2, timeout=10)
    apps = [APIGatewayRestResolver(), APIGatewayRestResolver()]
    seen: dict[str, Any] = {}

    for app in apps:
        @app.get("/<office>")
        def where(office: str, app: APIGatewayRestResolver = app) -> dict[str, Any]:
            both_inside.wait()  # the other request has set its event by now
            claims = app.current_event.request_context.authorizer.claims
            return {"path": app.current_event.path, "claims": claims["username"], "context": app.lambda_context}

    def call(app: APIGatewayRestResolver, path: str) -> None:
        seen[path] = app.resolve(_event(path), f"context of {path}")

    threads = [threading.Thread(target=call, args=(app, path)) for app, path in zip(apps, ("/a", "/b"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    for path in ("/a", "/b"):
        body = json.loads(seen[path]["body"])
        assert body == {"path": path, "claims": path, "context": f"context of {path}"}


def test_install_is_idempotent_and_class_level_reads_follow_the_thread() -> None:
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    powertools_patches.install()
    powertools_patches.install()
    BaseRouter.current_event = "main"  # type: ignore[assignment]
    inside: list[Any] = []
    worker = threading.Thread(target=lambda: (setattr(BaseRouter, "current_event", "worker"),
                                              inside.append(BaseRouter.current_event)))
    worker.start()
    worker.join()
    assert inside == ["worker"] and BaseRouter.current_event == "main"
    assert APIGatewayRestResolver().current_event == "main"
