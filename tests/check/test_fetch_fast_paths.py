"""The shortcuts fetch takes for the usual case give the answers of the general way: a detail or title that is
already one clean line, and an environment that names no proxy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from linkaudit.check import fetch
from linkaudit.check.fetch import _CONTROL, _SPACE, EnvironmentProxies, quote

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy", "WS_PROXY")


def quoted_the_long_way(text: str, limit: int) -> str:
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


SAMPLES = st.text(alphabet=st.sampled_from(" \t\n\r\x00\x07\x7f\x85\xa0\u2028\u3000abЖ…é€"), max_size=12) | st.text()


@given(SAMPLES, st.integers(min_value=2, max_value=20))
def test_quote_is_the_cleaning_it_replaces(text: str, limit: int) -> None:
    assert quote(text, limit) == quoted_the_long_way(text, limit)


@pytest.mark.parametrize(
    "text", ["200 OK", "Новости  дня", " lead", "trail ", "tab\there", "nbsp\xa0here", "nul\x00", "line\u2028sep"]
)
def test_quote_cleans_what_needs_it_and_keeps_what_does_not(text: str) -> None:
    assert quote(text) == quoted_the_long_way(text, 300)


def test_without_proxies_in_the_environment_every_url_goes_direct_without_asking_aiohttp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def asked(url: URL) -> object:
        raise AssertionError("the environment was read again")

    monkeypatch.setattr(fetch, "get_env_proxy_for_url", asked)
    proxies = EnvironmentProxies()
    assert proxies(URL("http://a.example/")) == (None, None)
    assert proxies(URL("https://b.example/x")) == (None, None)


def test_with_a_proxy_in_the_environment_each_host_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:3128")
    monkeypatch.setenv("NO_PROXY", "direct.example")
    proxies = EnvironmentProxies()
    proxy, _ = proxies(URL("http://a.example/"))
    assert proxy == URL("http://127.0.0.1:3128")
    assert proxies(URL("http://direct.example/")) == (None, None)  # NO_PROXY
    assert proxies(URL("https://a.example/")) == (None, None)  # no proxy for https
