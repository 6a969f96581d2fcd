from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.config import DEFAULT_CONCURRENCY, Config, ConfigError, load_file_settings
from linkaudit.status import FailOn


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.linkaudit]\ninputs = ["paper.md"]\nper-host = 2\nfail-on = "confirmed"\n', encoding="utf-8"
    )
    settings = load_file_settings(tmp_path)
    config = Config().with_overrides(settings)
    assert config.inputs == ("paper.md",)
    assert config.per_host == 2
    assert config.fail_on is FailOn.CONFIRMED
    assert config.concurrency == DEFAULT_CONCURRENCY


def test_linkaudit_toml_wins_and_may_be_top_level(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.linkaudit]\nper-host = 2\n", encoding="utf-8")
    (tmp_path / "linkaudit.toml").write_text("per-host = 7\n", encoding="utf-8")
    assert load_file_settings(tmp_path) == {"per_host": 7}


def test_unknown_settings_and_bad_toml_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        Config().with_overrides({"per_hots": 3})
    (tmp_path / "linkaudit.toml").write_text("per-host = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="linkaudit.toml: cannot read settings"):
        load_file_settings(tmp_path)
    (tmp_path / "linkaudit.toml").write_text('fail-on = "sometimes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fail-on must be"):
        load_file_settings(tmp_path)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('per-host = "abc"', "per-host must be a whole number, not 'abc'"),
        ("timeout = -5", "timeout must be a positive number"),
        ("concurrency = 0", "concurrency must be at least 1"),
        ('shard = "1/x"', "shard must look like K/N"),
        ('shard = "3/2"', "K must be between 1 and N"),
        ('exclude = ["(["]', "is not a regular expression"),
        ('formats = ["pdf"]', "unknown report format 'pdf'"),
        ("allow-private = 1", "allow-private must be true or false"),
    ],
)
def test_bad_file_settings_name_the_file_and_the_setting(tmp_path: Path, setting: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.linkaudit]\n{setting}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_file_settings(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'pyproject.toml'}: ")
    assert message in str(info.value)


def test_a_shard_given_as_text_in_the_file_is_read() -> None:
    from linkaudit.config import parse_shard

    assert parse_shard(" 2 / 8 ") == (2, 8)


@pytest.mark.parametrize("bad", ["http://[::1", "ftp://x", "notaurl", "https://"])
def test_a_malformed_archive_url_is_refused_before_any_work(bad: str) -> None:
    with pytest.raises(ConfigError, match="must be an http"):
        Config(wayback_url=bad).validated()
    with pytest.raises(ConfigError, match="archive memento must be an http"):
        Config(mementos=(bad,)).validated()
    assert Config(wayback_url="http://127.0.0.1:8080").validated().wayback_url == "http://127.0.0.1:8080"
