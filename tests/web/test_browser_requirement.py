"""Without Chromium the browser tests skip on a developer's machine and fail in CI (BOEKSTUK_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import pytest

from tests.web import conftest


def test_missing_chromium_skips_with_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("BOEKSTUK_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        conftest._require_browser()


def test_missing_chromium_fails_when_the_browser_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("BOEKSTUK_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="BOEKSTUK_REQUIRE_BROWSER=1"):
        conftest._require_browser()
