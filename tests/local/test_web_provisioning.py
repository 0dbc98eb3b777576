"""The template's web hosting provisions locally: CloudFront resources are skipped with placeholder attributes
(the local stack serves the web app itself), the SSM parameter with the web app's address is created, and the
documents bucket's CORS names that address."""

from __future__ import annotations

from boekstuk_local.testing import local_aws


def test_without_a_web_app_url_the_distributions_placeholder_address_is_used() -> None:
    with local_aws(parameters={"WebAppUrl": ""}) as harness:
        prov = harness.provisioned
        skipped = prov.skipped
        for kind in ("AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl",
                     "AWS::CloudFront::ResponseHeadersPolicy", "AWS::S3::BucketPolicy", "AWS::IAM::ManagedPolicy"):
            assert kind in skipped.values(), kind
        parameter = harness.client("ssm").get_parameter(Name="/boekstuk/dev/web-app-url")["Parameter"]
        assert parameter["Value"] == "https://webdistribution.cloudfront.local"
        [rule] = harness.client("s3").get_bucket_cors(Bucket=harness.environment["DOCUMENTS_BUCKET"])["CORSRules"]
        assert rule["AllowedOrigins"] == ["https://webdistribution.cloudfront.local"]
        assert harness.environment["WEB_APP_URL"] == ""
        assert harness.environment["WEB_APP_URL_PARAMETER"] == "/boekstuk/dev/web-app-url"


def test_the_local_web_app_url_is_used_everywhere() -> None:
    with local_aws(parameters={"WebAppUrl": "http://127.0.0.1:3999"}) as harness:
        assert harness.environment["WEB_APP_URL"] == "http://127.0.0.1:3999"
        parameter = harness.client("ssm").get_parameter(Name="/boekstuk/dev/web-app-url")["Parameter"]
        assert parameter["Value"] == "http://127.0.0.1:3999"
        [rule] = harness.client("s3").get_bucket_cors(Bucket=harness.environment["DOCUMENTS_BUCKET"])["CORSRules"]
        assert rule["AllowedOrigins"] == ["http://127.0.0.1:3999"]
        assert "WebBucket" in harness.provisioned.buckets
