"""template.yaml's web hosting keeps its security properties: the web bucket is private and read only by the
distribution through origin access control (no legacy OAI), viewers use HTTPS, the pages carry a CSP without
inline script and the other security headers, no CORS rule allows any origin, CloudFront's forwarded requests
carry the origin secret the handlers check, and every function that needs the web app's address may read it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

import boekstuk.bootstrap as bootstrap
from boekstuk.adapters import ssm
from boekstuk.api.identity import ORIGIN_VERIFY_HEADER
from boekstuk.domain.packages import PackageApp
from boekstuk.settings import Settings
from boekstuk_local.paths import project_root
from boekstuk_local.template import Resolver, UnresolvedReference, load_template_file

TEMPLATE = load_template_file(project_root() / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def of_type(kind: str) -> dict[str, Any]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == kind}


def the(kind: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = of_type(kind).items()
    return logical_id, resource["Properties"]


def resolved(value: Any, **parameters: str) -> Any:
    """``value`` with parameters and pseudo parameters filled in (Stage dev)."""
    return Resolver(TEMPLATE, parameters={"Stage": "dev", **parameters}).resolve(value)


DISTRIBUTION_ID, DISTRIBUTION = the("AWS::CloudFront::Distribution")
CONFIG = DISTRIBUTION["DistributionConfig"]
ORIGINS = {o["Id"]: o for o in CONFIG["Origins"]}
BEHAVIOURS = [CONFIG["DefaultCacheBehavior"], *CONFIG.get("CacheBehaviors", [])]


def web_origin() -> dict[str, Any]:
    [origin] = [o for o in CONFIG["Origins"] if "S3OriginConfig" in o]
    return origin


def csp() -> dict[str, list[str]]:
    policy_id = CONFIG["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]["Ref"]
    headers = RESOURCES[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    text = resolved(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    directives: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in the CSP"
        directives[name] = sources
    return directives


def test_the_web_bucket_is_private_and_read_by_the_distribution_through_origin_access_control() -> None:
    origin = web_origin()
    bucket_id = origin["DomainName"]["Fn::GetAtt"][0]
    bucket = RESOURCES[bucket_id]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    oac_id = origin["OriginAccessControlId"]["Fn::GetAtt"][0]
    oac = RESOURCES[oac_id]
    assert oac["Type"] == "AWS::CloudFront::OriginAccessControl"
    assert oac["Properties"]["OriginAccessControlConfig"] | {"Name": None, "Description": None} == {
        "Name": None, "Description": None, "OriginAccessControlOriginType": "s3", "SigningBehavior": "always",
        "SigningProtocol": "sigv4"}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert not of_type("AWS::CloudFront::CloudFrontOriginAccessIdentity")
    [policy] = [p["Properties"] for p in of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket_id}]
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allows == [{
        "Sid": allows[0]["Sid"], "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": {"Fn::Sub": f"${{{bucket_id}.Arn}}/*"},
        "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::"
                                                                    f"${{AWS::AccountId}}:distribution/${{{DISTRIBUTION_ID}}}"}}}}]


def test_viewers_use_https_only() -> None:
    assert CONFIG["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    for behaviour in BEHAVIOURS:
        assert behaviour["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only"), behaviour
    for origin in CONFIG["Origins"]:
        if "CustomOriginConfig" in origin:
            assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
            assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    custom, default = CONFIG["ViewerCertificate"]["Fn::If"][1:]
    assert custom["MinimumProtocolVersion"] == "TLSv1.2_2021" and custom["SslSupportMethod"] == "sni-only"
    assert default == {"CloudFrontDefaultCertificate": True}
    assert CONFIG["DefaultRootObject"] == "index.html"


def test_the_pages_csp_has_no_inline_script_and_connects_only_to_the_api_and_the_documents_bucket() -> None:
    directives = csp()
    for name in ("script-src", "style-src", "default-src"):
        assert directives[name] == ["'self'"], name
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"} & set(directives["script-src"])
    bucket = resolved(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["DOCUMENTS_BUCKET"])
    assert directives["connect-src"] == ["'self'", f"https://{bucket}.s3.eu-west-1.amazonaws.com"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["worker-src"] == ["'self'", "blob:"]
    for name in ("frame-ancestors", "object-src", "base-uri"):
        assert directives[name] == ["'none'"], name
    for sources in directives.values():
        assert "*" not in sources and not any(s.startswith("http:") for s in sources)


def test_the_pages_carry_the_other_security_headers() -> None:
    policy_id = CONFIG["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]["Ref"]
    headers = RESOURCES[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    for config in headers.values():
        assert config["Override"] is True  # the origin cannot weaken them


def test_no_cors_rule_allows_any_origin_and_the_documents_bucket_allows_the_web_app() -> None:
    for logical_id, bucket in of_type("AWS::S3::Bucket").items():
        for rule in (bucket["Properties"].get("CorsConfiguration") or {}).get("CorsRules", []):
            assert "*" not in rule["AllowedOrigins"], logical_id
            assert rule["AllowedOrigins"] == [{"Fn::GetAtt": ["WebAppUrlParameter", "Value"]}]
    for api in of_type("AWS::Serverless::Api").values():
        cors = api["Properties"].get("Cors")
        assert cors is None or "*" not in str(cors)  # the web app calls the API on its own origin
    for path in [*Path(project_root(), "functions").rglob("*.py"), *Path(project_root(), "layers").rglob("*.py")]:
        assert "Access-Control-Allow-Origin" not in path.read_text(encoding="utf-8"), path
    value = RESOURCES["WebAppUrlParameter"]["Properties"]["Value"]
    assert resolved(value, WebAppUrl="https://app.example.nl") == "https://app.example.nl"
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/x"
    assert resolved(value, WebDomainName="boekstuk.example.nl", WebCertificateArn=certificate) == (
        "https://boekstuk.example.nl")
    with pytest.raises(UnresolvedReference, match="WebDistribution.DomainName"):  # no certificate: its own address
        resolved(value, WebDomainName="boekstuk.example.nl")


def test_the_api_is_reached_on_the_web_apps_origin_with_the_origin_secret() -> None:
    [api] = [b for b in BEHAVIOURS if b.get("PathPattern") == "/v1/*"]
    assert (api["CachePolicyId"], api["OriginRequestPolicyId"]) == (CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST)
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    origin = ORIGINS[api["TargetOriginId"]]
    assert origin["DomainName"] == {"Fn::Sub": "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    [header] = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == ORIGIN_VERIFY_HEADER
    secret = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["CLOUDFRONT_ORIGIN_SECRET"]
    assert header["HeaderValue"] == secret


# --- who may read the web app's address ---------------------------------------------------------------

SERVICE_CALL = re.compile(r"services\(\)\.([a-z_]+)")


@pytest.fixture()
def spied_components(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Services built as in AWS (the address in the SSM parameter), with each read of it recorded."""
    reads: list[str] = []
    real = ssm.read_parameter

    def spy(client: Any, name: str) -> str:
        reads.append(name)
        return real(client, name)

    monkeypatch.setattr(ssm, "read_parameter", spy)  # imported where the address is read
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        boto3.client("ssm", region_name="eu-west-1").put_parameter(Name="/boekstuk/dev/web-app-url",
                                                                  Value="https://d1.cloudfront.net", Type="String")
        yield reads


def test_exactly_the_functions_that_read_the_web_apps_address_may_read_it(spied_components: list[str]) -> None:
    settings = Settings(web_app_url_parameter="/boekstuk/dev/web-app-url", state_machine_arn="arn:sm",
                        package_apps=[PackageApp(package="snelstart", base_url="https://api.test")])
    for logical_id, function in of_type("AWS::Serverless::Function").items():
        code = Path(project_root(), function["Properties"]["CodeUri"], "app.py").read_text(encoding="utf-8")
        services = bootstrap.Services(settings)
        spied_components.clear()
        for use_case in sorted(set(SERVICE_CALL.findall(code)) - {"health_check"}):
            getattr(services, use_case)  # builds the use case as its handler's first request does
        reads = bool(spied_components)
        policies = function["Properties"].get("Policies") or []
        allowed = {"Ref": "WebAppUrlReadPolicy"} in policies
        assert allowed == reads, f"{logical_id}: reads the web app's address: {reads}; may read it: {allowed}"
    assert RESOURCES["WebAppUrlReadPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/boekstuk/${Stage}/web-app-url"}
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["WEB_APP_URL_PARAMETER"] == {
        "Fn::Sub": "/boekstuk/${Stage}/web-app-url"}
