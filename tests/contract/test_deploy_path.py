"""The deploy path: scripts/deploy.sh deploys what `sam build` built (never the source folders), with the
parameters samconfig.toml holds for each stage, and checks the result with scripts/smoke.py."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest

from boekstuk_local.paths import project_root
from boekstuk_local.template import load_template_file

ROOT = project_root()
DEPLOY = (ROOT / "scripts" / "deploy.sh").read_text(encoding="utf-8")
SAM_CHECK = (ROOT / "scripts" / "sam-check.sh").read_text(encoding="utf-8")
CONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
PARAMETERS = load_template_file(ROOT / "template.yaml")["Parameters"]


def commands(script: str) -> list[str]:
    """The script's command lines (comments dropped, continuations joined)."""
    text = re.sub(r"\\\n\s*", " ", script)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_sam_check_builds_where_sam_deploy_takes_the_build_from() -> None:
    [build] = [c for c in commands(SAM_CHECK) if " build" in c and "sam" in c]
    assert "--build-dir" not in build and "-b " not in build  # the default, .aws-sam/build


def test_deploy_builds_first_then_deploys_the_build_and_smoke_tests_it() -> None:
    lines = commands(DEPLOY)
    build = next(i for i, c in enumerate(lines) if "scripts/sam-check.sh" in c)
    deploy = next(i for i, c in enumerate(lines) if re.search(r'"\$sam" deploy\b', c))
    smoke = next(i for i, c in enumerate(lines) if "scripts/smoke.py" in c)
    assert build < deploy < smoke
    # A template given to sam deploy would be deployed with its source folders (and samconfig.toml looked for
    # next to it): without one, sam deploy takes .aws-sam/build/template.yaml.
    assert not {"--template-file", "-t", "--template"} & set(shlex.split(lines[deploy]))


@pytest.mark.parametrize("env", ["default", "prod"])
def test_samconfig_names_the_stage_and_only_template_parameters(env: str) -> None:
    deploy = CONFIG[env]["deploy"]["parameters"]
    overrides = dict(item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"]))
    assert set(overrides) <= set(PARAMETERS), set(overrides) - set(PARAMETERS)
    assert overrides["Stage"] == ("prod" if env == "prod" else "dev")
    assert overrides["Recognizer"] == "textract"
    assert "CAPABILITY_IAM" in deploy["capabilities"]
    assert CONFIG[env]["global"]["parameters"]["stack_name"] == f"boekstuk-{overrides['Stage']}"
