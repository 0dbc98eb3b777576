"""Fidelity, memory and speed fixes for moto 5.2.5 that the local stack and tests install.

DynamoDB: moto's backend is not thread-safe. ``transact_write_items`` deep-copies the tables to roll back
on failure while another request thread may be writing, which raises ``RuntimeError: dictionary changed
size during iteration`` (seen with concurrent activations). Real DynamoDB serialises conflicting writes,
so we serialise every operation of moto's DynamoDB backend behind one re-entrant lock.

Memory: moto appends every instance of its models (``BaseModel``) to a class-level list, only so the
``/moto-api/data.json`` dashboard can list them. Nothing ever removes one, and DynamoDB deep-copies items
on every read and whole tables on every ``TransactWriteItems`` (its rollback copy): each copy was kept
for good, so a long-running local stack grew by megabytes per document, faster as its tables filled.
We keep tracking, weakly: the dashboard (and S3's reset, which closes the tracked keys' files) still see
every live model, and a discarded copy is freed.

Step Functions keeps every thread it starts (one per execution, per state with a timeout, per task-token
wait...) in a module-level list that only LocalStack's shutdown reads; a finished thread stays there for
good. Ours forgets the finished ones as it grows.

Time: that rollback copy of every table the transaction names made each ``TransactWriteItems`` cost as
much as the tables were large (0.2 s per transaction after 65 documents, growing). A transaction names at
most 100 items, so we keep an undo log of those items instead and restore them when moto cancels it.
A query on the table's key looked at every item of the table for the few of its partition (0.03 s per
query at 85 documents, eight queries per document); it now reads the partition.
And the moto server lists its own package directory (a ``listdir`` and some 150 ``isdir`` calls) for every
request it routes: about a sixth of the local stack's CPU time. The list never changes while a process
runs, so it is read once.

S3: the moto server takes a presigned URL at any time after it was signed (it checks no signature either:
nothing local proves signatures or IAM). AWS refuses one past its expiry with 403 AccessDenied, "Request has
expired"; so does ours, for SigV4 (``X-Amz-Date`` + ``X-Amz-Expires``) and SigV2 (``Expires``) URLs.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import inspect
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

_LOCK = threading.RLock()
_installed = False

_DYNAMODB_OPERATIONS = (
    "put_item", "get_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
    "batch_write_item", "transact_write_items", "transact_get_items", "create_table", "delete_table",
    "update_table", "describe_table",
)


def _locked(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return wrapper


class WeakInstances:
    """Stands in for a moto model class's ``instances_tracked`` list, holding its instances weakly.

    Iterates the live instances oldest first, which is all moto's readers do (the dashboard, S3's reset).
    """

    def __init__(self) -> None:
        self._refs: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

    def append(self, instance: Any) -> None:
        """Track ``instance`` until it is garbage (an entry goes with its object, so ids never clash)."""
        with contextlib.suppress(TypeError):  # no weak reference support: not worth keeping it alive for
            self._refs[id(instance)] = instance

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._refs.values()))

    def __len__(self) -> int:
        return len(self._refs)


def _track_weakly(cls: Any, instance: Any) -> None:
    tracked = cls.__dict__.get("instances_tracked")
    if not isinstance(tracked, WeakInstances):
        # moto's reset assigns fresh lists; replace them (and the strong references in them) again.
        tracked = WeakInstances()
        type.__setattr__(cls, "instances_tracked", tracked)
    tracked.append(instance)


def _install_weak_instance_tracking() -> None:
    from moto.core.common_models import BaseModel

    def weakly_tracked_new(cls: Any, *args: Any, **kwargs: Any) -> Any:
        instance = super(BaseModel, cls).__new__(cls)
        _track_weakly(cls, instance)
        return instance

    BaseModel.__new__ = weakly_tracked_new  # type: ignore[method-assign,assignment]


class LiveThreads(list[threading.Thread]):
    """Stands in for moto's Step Functions ``TMP_THREADS`` list, which moto only appends to and never reads.

    It holds its threads weakly: a finished thread is freed as soon as ``threading`` forgets it, however
    many executions ran and however busy the machine was when they ended.
    """

    def __init__(self) -> None:
        super().__init__()
        self._threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()

    def append(self, thread: threading.Thread) -> None:
        """Remember ``thread`` without keeping it alive."""
        self._threads.add(thread)

    def extend(self, threads: Iterable[threading.Thread]) -> None:
        """Remember each of ``threads`` without keeping it alive."""
        for thread in threads:
            self.append(thread)

    def __iter__(self) -> Iterator[threading.Thread]:
        return iter(list(self._threads))

    def __len__(self) -> int:
        return len(self._threads)


def _install_live_threads() -> None:
    import sys

    from moto.stepfunctions.parser import utils

    old, new = utils.TMP_THREADS, LiveThreads()
    # Modules imported so far hold the list itself (``from ...utils import TMP_THREADS``); later ones get ours.
    for module in list(sys.modules.values()):
        if getattr(module, "TMP_THREADS", None) is old:
            module.TMP_THREADS = new
    new.extend(t for t in old if t.is_alive())


_transaction = threading.local()  # .active: a transaction of this thread keeps its own undo log


def _table_deepcopy(table: Any, memo: dict[int, Any]) -> Any:
    """``Table.__deepcopy__``: the table itself inside a transaction (see ``_with_item_undo``), else a real
    copy, attribute by attribute as ``copy.deepcopy`` makes one of a plain object (backups need one)."""
    if getattr(_transaction, "active", False):
        return table
    cls = type(table)
    copied = cls.__new__(cls)
    memo[id(table)] = copied
    for name, value in vars(table).items():
        setattr(copied, name, copy.deepcopy(value, memo))
    return copied


def _item_key(table: Any, operation: str, op: dict[str, Any]) -> tuple[Any, Any] | None:
    """``(hash, range)`` of the item a transaction operation names; ``None`` when it names none (moto
    then refuses the operation before writing anything)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    key = op.get("Item") if operation == "Put" else op.get("Key")
    if not isinstance(key, dict) or table.hash_key_attr not in key:
        return None
    if table.range_key_attr is not None and table.range_key_attr not in key:
        return None
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
    return DynamoType(key[table.hash_key_attr]), range_value


def _with_item_undo(original: Any) -> Any:
    """Wrap ``transact_write_items``: copy the (at most 100) items it names, not its tables, and put them
    back when the transaction is cancelled; stream records it added are dropped, as moto's copy did."""

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        undo: list[tuple[Any, Any, Any, Any]] = []
        shards: dict[int, tuple[Any, int]] = {}
        for entry in transact_items if len(transact_items) <= 100 else []:
            for operation, op in entry.items():
                table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
                key = _item_key(table, operation, op) if table is not None else None
                if table is None or key is None:
                    continue
                before = table.get_item(*key)
                undo.append((table, *key, copy.deepcopy(before)))
                if table.stream_shard is not None:
                    shards.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        _transaction.active = True
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(undo):
                place = table.items[hash_value] if range_value is not None else table.items
                slot = range_value if range_value is not None else hash_value
                if before is None:
                    place.pop(slot, None)
                else:
                    place[slot] = before
            for shard, length in shards.values():
                del shard.items[length:]
            raise
        finally:
            _transaction.active = False

    return transact_write_items


def _partition_queries(original: Any) -> Any:
    """Wrap ``Table.query``: a query on the table's own key lists only its partition as candidates.

    moto filters ``all_items()`` by hash key, which gives exactly the items of ``items[hash_key]``; for the
    call, the table's ``all_items`` is shadowed by one returning those (index queries are left alone).
    """
    signature = inspect.signature(original)

    @functools.wraps(original)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        if arguments.get("index_name") or hash_key is None or "all_items" in vars(self):
            return original(self, *args, **kwargs)
        caller = threading.get_ident()

        def partition_items() -> list[Any]:
            if threading.get_ident() != caller:  # anyone else still sees the whole table
                return list(type(self).all_items(self))
            if self.range_key_attr is None:
                return [self.items[hash_key]] if hash_key in self.items else []
            return list(self.items.get(hash_key, {}).values())

        self.all_items = partition_items
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items

    return query


def _list_moto_modules_once() -> None:
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def presigned_expiry(query_string: str) -> dt.datetime | None:
    """When a presigned URL with this query string expires; ``None`` for a request that is not presigned."""
    query = {k: v[-1] for k, v in parse_qs(query_string).items()}
    try:
        if "X-Amz-Date" in query and "X-Amz-Expires" in query:
            signed = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            return signed + dt.timedelta(seconds=int(query["X-Amz-Expires"]))
        if "AWSAccessKeyId" in query and "Expires" in query:
            return dt.datetime.fromtimestamp(int(query["Expires"]), dt.UTC)
    except ValueError:  # malformed: let moto answer it as it would
        return None
    return None


_EXPIRED = """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Request has expired</Message><Expires>{expires}</Expires>\
<ServerTime>{now}</ServerTime></Error>"""


def _refuse_expired_presigned_urls(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap the moto server's WSGI entry: a presigned request past its expiry gets S3's 403 (CORS preflights,
    which carry no authority of their own, still pass)."""

    @functools.wraps(original)
    def dispatch(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        expires = presigned_expiry(environ.get("QUERY_STRING", ""))
        now = dt.datetime.now(dt.UTC)
        if expires is not None and now > expires and environ.get("REQUEST_METHOD") != "OPTIONS":
            stamp = "%Y-%m-%dT%H:%M:%SZ"
            body = _EXPIRED.format(expires=expires.strftime(stamp), now=now.strftime(stamp)).encode()
            start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
            return [body]
        return original(self, environ, start_response)

    return dispatch


def install() -> None:
    """Patch moto once per process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    _install_weak_instance_tracking()
    _install_live_threads()
    _list_moto_modules_once()
    DomainDispatcherApplication.__call__ = _refuse_expired_presigned_urls(  # type: ignore[method-assign]
        DomainDispatcherApplication.__call__)
    Table.__deepcopy__ = _table_deepcopy  # type: ignore[attr-defined]
    Table.query = _partition_queries(Table.query)  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = _with_item_undo(  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items)
    for name in _DYNAMODB_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is not None:
            setattr(DynamoDBBackend, name, _locked(original))
    _installed = True
