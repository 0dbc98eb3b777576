"""template.yaml for the local stack: a CloudFormation-tag-aware loader, intrinsic resolution, SAM events.

The local stack creates its resources from the same SAM template that is deployed, so tests and the
deployment cannot drift apart. This module is pure parsing: it never talks to AWS. Provisioning
(``boekstuk_local.provision``) fills a :class:`Resolver` with the physical names it created.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_REGION = "eu-west-1"
LOCAL_STACK_NAME = "boekstuk-local"


class TemplateError(Exception):
    """The template cannot be loaded or an intrinsic cannot be resolved locally."""


class UnresolvedReference(TemplateError):
    """A ``Ref``/``GetAtt`` names something that has no local value (yet)."""


# --- loading -----------------------------------------------------------------------------------------

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
}


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns ``!Tag value`` into the long JSON form (``{"Fn::Tag": value}``)."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "GetAtt" and isinstance(value, str):
        # "!GetAtt Res.Attr.Sub" -> ["Res", "Attr.Sub"] (only the first dot separates the resource)
        logical, _, attribute = value.partition(".")
        value = [logical, attribute]
    key = _SHORT_TAGS.get(tag_suffix, f"Fn::{tag_suffix}")
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)
# CloudFormation treats timestamps/dates as strings; keep them verbatim.
_CfnLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> dict[str, Any]:
    """Parse CloudFormation/SAM YAML (short-form intrinsic tags included) into plain dicts and lists."""
    data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict):
        raise TemplateError("template is not a mapping")
    return data


_parsed: dict[tuple[Path, int], dict[str, Any]] = {}


def load_template_file(path: Path) -> dict[str, Any]:
    """``load_yaml`` of a file, parsed once per file version (test harnesses load the template per test)."""
    path = path.resolve()
    key = (path, path.stat().st_mtime_ns)
    if key not in _parsed:
        _parsed[key] = load_yaml(path.read_text(encoding="utf-8"))
    return copy.deepcopy(_parsed[key])


# --- intrinsic functions -----------------------------------------------------------------------------


class _NoValue:
    """``AWS::NoValue``: the property is removed from its parent."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


class Resolver:
    """Resolves intrinsic functions against local values.

    ``refs`` maps a logical id to what ``Ref`` returns; ``attrs`` maps ``(logical id, attribute)`` to what
    ``GetAtt`` returns. Both are filled while resources are created, so resolution may be retried.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        parameters: Mapping[str, str] | None = None,
        region: str = LOCAL_REGION,
        account_id: str = LOCAL_ACCOUNT_ID,
        stack_name: str = LOCAL_STACK_NAME,
    ) -> None:
        self.template = template
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.refs: dict[str, Any] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        self.attrs: dict[tuple[str, str], Any] = {}
        given = dict(parameters or {})
        for name, spec in (template.get("Parameters") or {}).items():
            value: Any
            if name in given:
                value = given[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no Default and no value was given")
            allowed = spec.get("AllowedValues")
            if allowed is not None and str(value) not in {str(a) for a in allowed}:
                raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
            if str(spec.get("Type", "")).startswith("CommaDelimitedList") and isinstance(value, str):
                value = [v.strip() for v in value.split(",")]
            self.refs[name] = value
        self._conditions: dict[str, bool] = {}

    # conditions
    def condition(self, name: str) -> bool:
        """The value of the template condition ``name`` (evaluated once, then cached)."""
        if name not in self._conditions:
            spec = (self.template.get("Conditions") or {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(spec))
        return self._conditions[name]

    def resource_enabled(self, logical_id: str) -> bool:
        """Whether the resource exists under the template's conditions."""
        resource = (self.template.get("Resources") or {}).get(logical_id) or {}
        cond = resource.get("Condition")
        return True if cond is None else self.condition(cond)

    # resolution
    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function inside ``value`` (deeply); ``AWS::NoValue`` entries vanish."""
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = self._functions.get(key)
            if handler is not None:
                return handler(self, arg)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _ref(self, name: Any) -> Any:
        name = self.resolve(name)
        if name in self.refs:
            return self.refs[name]
        raise UnresolvedReference(f"Ref {name} has no local value")

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical, _, attribute = arg.partition(".")
        else:
            logical, attribute = (self.resolve(a) for a in arg)
        key = (logical, attribute)
        if key in self.attrs:
            return self.attrs[key]
        raise UnresolvedReference(f"GetAtt {logical}.{attribute} has no local value")

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve(v) for k, v in (arg[1] if len(arg) > 1 else {}).items()}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise TemplateError(f"Fn::Sub needs a string, got {text!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is written as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name:  # ${Resource.Attribute}; parameters and pseudo parameters have no dots
                return str(self._get_att(name))
            return str(self._ref(name))

        return _SUB_VAR.sub(replace, text)

    def _join(self, arg: Any) -> str:
        delimiter, items = arg
        items = self.resolve(items)
        return str(self.resolve(delimiter)).join(str(i) for i in items)

    def _select(self, arg: Any) -> Any:
        index, items = self.resolve(arg)
        return items[int(index)]

    def _split(self, arg: Any) -> list[str]:
        delimiter, text = self.resolve(arg)
        return str(text).split(delimiter)

    def _if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)

    def _find_in_map(self, arg: Any) -> Any:
        map_name, top, second = (self.resolve(a) for a in arg[:3])
        try:
            return self.resolve((self.template.get("Mappings") or {})[map_name][top][second])
        except KeyError as exc:
            if len(arg) > 3 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                return self.resolve(arg[3]["DefaultValue"])
            raise TemplateError(f"Fn::FindInMap {map_name}/{top}/{second} not found") from exc

    def _equals(self, arg: Any) -> bool:
        left, right = self.resolve(arg)
        return str(left) == str(right)

    def _not(self, arg: Any) -> bool:
        return not self._truth(arg[0])

    def _and(self, arg: Any) -> bool:
        return all(self._truth(a) for a in arg)

    def _or(self, arg: Any) -> bool:
        return any(self._truth(a) for a in arg)

    def _truth(self, value: Any) -> bool:
        resolved = self.resolve(value)
        if isinstance(resolved, str):
            return resolved.lower() == "true"
        return bool(resolved)

    def _condition(self, arg: Any) -> bool:
        return self.condition(arg)

    def _get_azs(self, arg: Any) -> list[str]:
        region = self.resolve(arg) or self.region
        return [f"{region}a", f"{region}b", f"{region}c"]

    def _base64(self, arg: Any) -> str:
        import base64

        return base64.b64encode(str(self.resolve(arg)).encode()).decode()

    def _to_json_string(self, arg: Any) -> str:
        import json

        return json.dumps(self.resolve(arg), separators=(",", ":"))

    def _length(self, arg: Any) -> int:
        return len(self.resolve(arg))

    def _import_value(self, arg: Any) -> Any:
        raise TemplateError(f"Fn::ImportValue {arg!r}: cross-stack imports do not exist locally")

    _functions: dict[str, Callable[[Resolver, Any], Any]] = {
        "Ref": _ref,
        "Fn::GetAtt": _get_att,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::Split": _split,
        "Fn::If": _if,
        "Fn::FindInMap": _find_in_map,
        "Fn::Equals": _equals,
        "Fn::Not": _not,
        "Fn::And": _and,
        "Fn::Or": _or,
        "Condition": _condition,
        "Fn::GetAZs": _get_azs,
        "Fn::Base64": _base64,
        "Fn::ToJsonString": _to_json_string,
        "Fn::Length": _length,
        "Fn::ImportValue": _import_value,
    }


# --- SAM model ---------------------------------------------------------------------------------------


class Route(BaseModel):
    """One ``Api`` event: which function serves ``method path`` and whether the Cognito authorizer guards it."""

    model_config = ConfigDict(frozen=True)

    method: str  # upper case, or ANY
    path: str  # "/v1/offices/{office}" as in the template
    function: str  # logical id
    api: str | None = None  # logical id of the RestApi
    auth_required: bool = True
    scopes: tuple[str, ...] = ()

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when this route serves ``method path``, else ``None``."""
        if self.method not in ("ANY", method.upper()):
            return None
        return match_path(self.path, path)


def match_path(pattern: str, path: str) -> dict[str, str] | None:
    """Match ``path`` against an API Gateway resource path with ``{param}`` and ``{proxy+}`` segments."""
    regex = "^"
    names: list[str] = []
    for segment in [s for s in pattern.strip("/").split("/") if s]:
        if segment.startswith("{") and segment.endswith("+}"):
            names.append(segment[1:-2])
            regex += f"/(?P<g{len(names)}>.+)"
        elif segment.startswith("{") and segment.endswith("}"):
            names.append(segment[1:-1])
            regex += f"/(?P<g{len(names)}>[^/]+)"
        else:
            regex += "/" + re.escape(segment)
    found = re.match(regex + "/?$", path)
    if found is None:
        return None
    return {name: found.group(f"g{i}") for i, name in enumerate(names, start=1)}


class S3Trigger(BaseModel):
    model_config = ConfigDict(frozen=True)

    function: str
    bucket: str  # logical id of the bucket
    events: tuple[str, ...]
    prefix: str | None = None
    suffix: str | None = None


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    function: str
    name: str  # the event's name in the template
    expression: str  # "rate(1 day)" / "cron(0 3 * * ? *)"
    input: str | None = None  # JSON text passed as the event, when given
    enabled: bool = True
    timezone: str | None = None  # ScheduleV2's ScheduleExpressionTimezone (cron in local time)


class FunctionSpec(BaseModel):
    """A SAM function after Globals were merged in."""

    logical_id: str
    name: str
    module: str | None = None  # dotted handler module, set by the stack (depends on sys.path)
    code_uri: str
    handler: str
    runtime: str = "python3.11"
    timeout: int = 3
    memory_size: int = 128
    architectures: list[str] = Field(default_factory=lambda: ["x86_64"])
    environment: dict[str, Any] = Field(default_factory=dict)  # unresolved values
    events: dict[str, Any] = Field(default_factory=dict)


class GatewayResponse(BaseModel):
    status: int
    templates: dict[str, str] = Field(default_factory=dict)  # content type -> body template
    headers: dict[str, str] = Field(default_factory=dict)


class ApiSpec(BaseModel):
    logical_id: str
    stage: str = "Prod"
    default_authorizer: str | None = None
    authorizers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    binary_media_types: list[str] = Field(default_factory=list)
    gateway_responses: dict[str, GatewayResponse] = Field(default_factory=dict)
    cors: dict[str, str] | None = None  # preflight answer headers from the Api's Cors property


class SamApp:
    """The parsed template: resources, functions with Globals merged in, routes, S3 triggers and schedules."""

    def __init__(self, template: dict[str, Any], path: Path | None = None,
                 parameters: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.path = path
        self.base_dir = path.parent if path else Path.cwd()
        self.resolver = Resolver(template, parameters=parameters)
        self.resources: dict[str, dict[str, Any]] = {
            k: v for k, v in (template.get("Resources") or {}).items() if self.resolver.resource_enabled(k)
        }
        self.functions = self._functions()
        self.apis = self._apis()
        self.routes, self.s3_triggers, self.schedules = self._events()

    @classmethod
    def load(cls, path: str | Path, parameters: Mapping[str, str] | None = None) -> SamApp:
        """Read and parse ``template.yaml``."""
        p = Path(path).resolve()
        return cls(load_template_file(p), p, parameters)

    def physical_name(self, value: Any, logical_id: str) -> str:
        """A name property resolved now (parameters and pseudo parameters only), else the logical id."""
        if value is None:
            return logical_id
        try:
            return str(self.resolver.resolve(value))
        except UnresolvedReference:
            return logical_id

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        """Resources of the given CloudFormation/SAM types, in template order."""
        return {k: v for k, v in self.resources.items() if v.get("Type") in types}

    def _functions(self) -> dict[str, FunctionSpec]:
        globals_fn = copy.deepcopy(((self.template.get("Globals") or {}).get("Function")) or {})
        out: dict[str, FunctionSpec] = {}
        for logical_id, res in self.of_type("AWS::Serverless::Function").items():
            props = _merge_globals(globals_fn, res.get("Properties") or {})
            env = ((props.get("Environment") or {}).get("Variables")) or {}
            name = self.physical_name(props.get("FunctionName"), logical_id)
            out[logical_id] = FunctionSpec(
                logical_id=logical_id,
                name=name,
                code_uri=str(props.get("CodeUri", ".")),
                handler=str(props.get("Handler", "app.lambda_handler")),
                runtime=str(props.get("Runtime", "python3.11")),
                timeout=int(props.get("Timeout", 3)) if not isinstance(props.get("Timeout"), dict) else 3,
                memory_size=int(props.get("MemorySize", 128)) if not isinstance(props.get("MemorySize"), dict) else 128,
                architectures=list(props.get("Architectures") or ["x86_64"]),
                environment=env,
                events=props.get("Events") or {},
            )
        return out

    def _apis(self) -> dict[str, ApiSpec]:
        globals_api = copy.deepcopy(((self.template.get("Globals") or {}).get("Api")) or {})
        out: dict[str, ApiSpec] = {}
        for logical_id, res in self.of_type("AWS::Serverless::Api").items():
            props = _merge_globals(globals_api, res.get("Properties") or {})
            auth = props.get("Auth") or {}
            responses: dict[str, GatewayResponse] = {}
            for kind, spec in (props.get("GatewayResponses") or {}).items():
                params = spec.get("ResponseParameters") or {}
                headers = {k: str(v).strip("'") for k, v in (params.get("Headers") or {}).items()}
                responses[kind] = GatewayResponse(
                    status=int(spec.get("StatusCode", 0) or 0),
                    templates={k: str(v) for k, v in (spec.get("ResponseTemplates") or {}).items()},
                    headers=headers,
                )
            stage = props.get("StageName", "Prod")
            cors = _cors_headers(props.get("Cors"))
            out[logical_id] = ApiSpec(
                logical_id=logical_id,
                stage=stage if isinstance(stage, str) else "Prod",
                default_authorizer=auth.get("DefaultAuthorizer"),
                authorizers=auth.get("Authorizers") or {},
                binary_media_types=[str(t).replace("~1", "/") for t in props.get("BinaryMediaTypes") or []],
                gateway_responses=responses,
                cors=cors,
            )
        return out

    def _events(self) -> tuple[list[Route], list[S3Trigger], list[Schedule]]:
        routes: list[Route] = []
        triggers: list[S3Trigger] = []
        schedules: list[Schedule] = []
        for fn in self.functions.values():
            for event_name, event in fn.events.items():
                kind = event.get("Type")
                props = event.get("Properties") or {}
                if kind == "Api":
                    routes.append(self._route(fn.logical_id, props))
                elif kind == "HttpApi":
                    # HTTP APIs send payload format 2.0; the local gateway builds REST (1.0) events only.
                    raise TemplateError(f"{fn.logical_id}.{event_name}: HttpApi events are not supported locally")
                elif kind == "S3":
                    triggers.append(_s3_trigger(fn.logical_id, props))
                elif kind in ("Schedule", "ScheduleV2"):
                    expression = props.get("Schedule") or props.get("ScheduleExpression")
                    enabled = props.get("Enabled", True)
                    if props.get("State") is not None:
                        enabled = str(props.get("State")).upper() == "ENABLED"
                    schedules.append(Schedule(
                        function=fn.logical_id,
                        name=event_name,
                        expression=str(expression),
                        input=props.get("Input"),
                        enabled=bool(enabled),
                        timezone=props.get("ScheduleExpressionTimezone"),
                    ))
                else:
                    log.warning("%s.%s: %s events are not wired up locally; the function will not be triggered",
                                fn.logical_id, event_name, kind)
        # API Gateway picks the most specific resource: literal segments beat {param}, {param} beats {proxy+}
        routes.sort(key=lambda r: _specificity(r.path), reverse=True)
        return routes, triggers, schedules

    def _route(self, function: str, props: dict[str, Any]) -> Route:
        api_ref = props.get("RestApiId") or props.get("ApiId")
        api_id = api_ref.get("Ref") if isinstance(api_ref, dict) else api_ref
        api = self.apis.get(api_id) if api_id else None
        if api is None and len(self.apis) == 1 and api_ref is None:
            api = next(iter(self.apis.values()))
        auth = props.get("Auth") or {}
        authorizer = auth.get("Authorizer", api.default_authorizer if api else None)
        scopes = auth.get("AuthorizationScopes")
        if scopes is None and api and authorizer and authorizer in api.authorizers:
            scopes = api.authorizers[authorizer].get("AuthorizationScopes")
        return Route(
            method=str(props.get("Method", "ANY")).upper(),
            path=str(props.get("Path", "/")),
            function=function,
            api=api.logical_id if api else None,
            auth_required=bool(authorizer) and authorizer != "NONE",
            scopes=tuple(scopes or ()),
        )

    def route_for(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route serving ``method path`` with its path parameters, or ``None``."""
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    def path_exists(self, path: str) -> bool:
        """Whether any route (any method) serves ``path``."""
        return any(match_path(r.path, path) is not None for r in self.routes)


def _cors_headers(cors: Any) -> dict[str, str] | None:
    """The headers SAM's generated OPTIONS methods answer with (values in the template are quoted: "'*'")."""
    if not cors:
        return None
    if isinstance(cors, str):
        cors = {"AllowOrigin": cors}
    names = {"AllowOrigin": "Access-Control-Allow-Origin", "AllowMethods": "Access-Control-Allow-Methods",
             "AllowHeaders": "Access-Control-Allow-Headers", "MaxAge": "Access-Control-Max-Age"}
    headers = {header: str(cors[key]).strip("'") for key, header in names.items() if key in cors}
    if cors.get("AllowCredentials") in (True, "true", "'true'"):
        headers["Access-Control-Allow-Credentials"] = "true"
    headers.setdefault("Access-Control-Allow-Methods", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT")
    return headers


def _specificity(path: str) -> tuple[int, int]:
    segments = path.strip("/").split("/")
    literal = sum(1 for s in segments if not s.startswith("{"))
    greedy = sum(1 for s in segments if s.endswith("+}"))
    return (len(segments) - greedy * 100, literal)


def _s3_trigger(function: str, props: dict[str, Any]) -> S3Trigger:
    bucket = props.get("Bucket")
    bucket_id = bucket.get("Ref") if isinstance(bucket, dict) else bucket
    events = props.get("Events") or []
    if isinstance(events, str):
        events = [events]
    prefix = suffix = None
    for rule in (((props.get("Filter") or {}).get("S3Key") or {}).get("Rules")) or []:
        if str(rule.get("Name")).lower() == "prefix":
            prefix = str(rule.get("Value"))
        elif str(rule.get("Name")).lower() == "suffix":
            suffix = str(rule.get("Value"))
    return S3Trigger(function=function, bucket=str(bucket_id), events=tuple(events), prefix=prefix, suffix=suffix)


def _merge_globals(globals_props: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge (resource wins), lists and scalars are replaced by the resource's value."""
    merged = copy.deepcopy(globals_props)
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not _is_intrinsic(value):
            merged[key] = _merge_globals(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)) in Resolver._functions
