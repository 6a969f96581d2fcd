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
