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


def test_the_nearest_settings_file_up_from_the_folder_applies(tmp_path: Path) -> None:
    from linkaudit.config import find_config

    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) is None or not str(find_config(deep)).startswith(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text("[tool.linkaudit]\nper-host = 2\n", encoding="utf-8")
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")  # no table
    assert find_config(deep) == (tmp_path / "pyproject.toml").resolve()
    (tmp_path / "a" / "b" / "linkaudit.toml").write_text("per-host = 3\n", encoding="utf-8")
    assert find_config(deep) == (tmp_path / "a" / "b" / "linkaudit.toml").resolve()
    assert load_file_settings(deep) == {"per_host": 3}
    broken = tmp_path / "a" / "b" / "c" / "pyproject.toml"
    broken.write_text("[tool.linkaudit\n", encoding="utf-8")  # unreadable: named, not walked past
    with pytest.raises(ConfigError, match="pyproject.toml: cannot read settings"):
        load_file_settings(deep)


def test_relative_paths_in_the_file_resolve_against_its_folder(tmp_path: Path) -> None:
    from linkaudit.config import default_store, read_config

    project = tmp_path / "project"
    below = project / "docs"
    below.mkdir(parents=True)
    path = project / "linkaudit.toml"
    path.write_text(
        'inputs = ["docs/a.md", "/abs/b.md", "-"]\noutput-dir = "out"\nstore = "state/la.db"\n', encoding="utf-8"
    )
    assert read_config(path, cwd=project) == {
        "inputs": ("docs/a.md", "/abs/b.md", "-"), "output_dir": "out", "store": "state/la.db",
    }  # fmt: skip
    from_below = read_config(path, cwd=below)
    assert from_below["inputs"] == ("a.md", "/abs/b.md", "-")  # below the current folder: relative to it
    assert from_below["store"] == str(Path("..") / "state" / "la.db")
    assert default_store(project, cwd=below) == str(Path("..") / ".linkaudit" / "linkaudit.db")
    assert default_store(None) == ".linkaudit/linkaudit.db"


def test_accept_and_headers_from_flags_and_file(tmp_path: Path) -> None:
    from linkaudit.config import parse_accept, parse_header

    assert parse_accept("200..202, 403") == (200, 201, 202, 403)
    assert parse_accept("200..=201") == (200, 201)
    for bad in ("2xx", "300..200", "", "99"):
        with pytest.raises(ValueError):
            parse_accept(bad)
    assert parse_header("Accept-Language:  ru ") == ("Accept-Language", "ru")
    for bad in ("no colon", "Bad Name: x", ": x"):
        with pytest.raises(ValueError):
            parse_header(bad)
    (tmp_path / "linkaudit.toml").write_text(
        'accept = ["200..201", 403]\nheaders = {"X-Token" = "abc"}\n', encoding="utf-8"
    )
    assert load_file_settings(tmp_path) == {"accept": (200, 201, 403), "headers": (("X-Token", "abc"),)}
    (tmp_path / "linkaudit.toml").write_text('headers = {"X-Token" = "a\\nb"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a name and a value on one line"):
        load_file_settings(tmp_path)
