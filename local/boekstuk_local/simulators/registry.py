"""Which simulators exist, how to start them, and this system's app registration at each.

Adding a package is one line in ``_SIMULATOR_CLASSES`` (``"module:Class"``). The class carries its own
``app_registration`` and ``demo_login`` (see ``base.Simulator``), so nothing else needs registering.
A listed module that is not there yet (a sibling's package still in progress) is skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from boekstuk.domain.packages import PackageApp, PackageId
from boekstuk_local.simulators.base import Simulator, SimulatorServer

_SIMULATOR_CLASSES: dict[str, str] = {
    "exact_online": "boekstuk_local.simulators.exact_online:ExactOnlineSimulator",
    "twinfield": "boekstuk_local.simulators.twinfield:TwinfieldSimulator",
    "snelstart": "boekstuk_local.simulators.snelstart:SnelStartSimulator",
    "accountview": "boekstuk_local.simulators.accountview:AccountViewSimulator",
    "multivers": "boekstuk_local.simulators.multivers:MultiversSimulator",
}


def _load(path: str) -> type[Simulator] | None:
    module_name, _, class_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # not written yet; any other missing import is a real error
            return None
        raise
    cls: type[Simulator] = getattr(module, class_name)
    return cls


def _discover() -> dict[str, type[Simulator]]:
    found: dict[str, type[Simulator]] = {}
    for package_id, path in _SIMULATOR_CLASSES.items():
        cls = _load(path)
        if cls is not None:
            found[package_id] = cls
    return found


SIMULATOR_CLASSES: dict[str, type[Simulator]] = _discover()

SIMULATORS: dict[str, Callable[..., Simulator]] = dict(SIMULATOR_CLASSES)
"""package id -> factory; keyword arguments such as ``clock`` and ``hang_seconds`` go to the simulator."""

DEMO_LOGINS: dict[str, dict[str, str]] = {pid: dict(cls.demo_login) for pid, cls in SIMULATOR_CLASSES.items()}
"""package id -> demo credentials, as the README lists them ({"username", "password"} or credential fields)."""


def create_simulator(package_id: str, **options: Any) -> Simulator:
    """A fresh simulator for ``package_id`` (seeded from seed.py)."""
    try:
        factory = SIMULATORS[package_id]
    except KeyError:
        raise KeyError(f"no simulator for package {package_id!r}") from None
    return factory(**options)


def start_all(
    host: str = "127.0.0.1", ports: dict[str, int] | None = None, **options: Any
) -> dict[str, SimulatorServer]:
    """Start every registered simulator (port 0 / absent: OS-assigned); returns package id -> server."""
    servers: dict[str, SimulatorServer] = {}
    try:
        for package_id in SIMULATORS:
            port = (ports or {}).get(package_id, 0)
            servers[package_id] = SimulatorServer(create_simulator(package_id, **options), host, port).start()
    except Exception:
        for server in servers.values():
            server.stop()
        raise
    return servers


def app_config(package_id: str, server: SimulatorServer, *, timeout_seconds: float = 10.0) -> PackageApp:
    """This system's registration at the simulated package, pointing at ``server``."""
    cls = SIMULATOR_CLASSES[package_id]
    package: PackageId = cls.package_id  # type: ignore[assignment]
    return PackageApp(
        package=package,
        base_url=server.base_url,
        auth_url=server.base_url,
        timeout_seconds=timeout_seconds,
        **cls.app_registration,
    )
