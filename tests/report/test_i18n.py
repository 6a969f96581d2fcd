"""Labels and dates in English and Russian."""

from __future__ import annotations

import pytest

from linkaudit.report import i18n
from linkaudit.status import Status


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ("2012-11-04", "en", "4 November 2012"),
        ("2012-11-04", "ru", "4 ноября 2012"),
        ("2011-05-01", "ru", "1 мая 2011"),
        ("2012-11", "en", "November 2012"),
        ("2012-11", "ru", "ноябрь 2012"),
        ("2012", "ru", "2012"),
        ("2012-13-01", "en", "2012-13-01"),
        ("about 2012", "en", "about 2012"),
        (None, "en", ""),
        ("2012-11-04", "ru-RU", "4 ноября 2012"),
        ("2012-11-04", "de", "4 November 2012"),
    ],
)
def test_format_date(value: str | None, lang: str, expected: str) -> None:
    assert i18n.format_date(value, lang) == expected


def test_format_datetime_and_timestamps() -> None:
    assert i18n.format_datetime("2024-03-01T10:05:00Z", "en") == "1 March 2024, 10:05 UTC"
    assert i18n.format_datetime("2024-03-01T10:05:00+03:00", "ru") == "1 марта 2024, 10:05 +03:00"
    assert i18n.timestamp_date("20121104093000") == "2012-11-04"
    assert i18n.timestamp_date("") is None
    assert i18n.datetime_date("2024-03-01T10:05:00Z") == "2024-03-01"
    assert i18n.datetime_date("2024-03") == "2024-03"
    assert i18n.datetime_date("later") is None


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "ссылка"), (2, "ссылки"), (5, "ссылок"), (11, "ссылок"), (21, "ссылка"), (104, "ссылки")],
)
def test_russian_plurals(count: int, expected: str) -> None:
    assert i18n.plural_ru(count, "ссылка", "ссылки", "ссылок") == expected


def test_every_label_status_and_finding_is_translated() -> None:
    assert set(i18n.LABELS["en"]) == set(i18n.LABELS["ru"])
    for status in Status:
        assert i18n.status_label(status, "en") and i18n.status_label(status, "ru")
        assert i18n.status_label(status, "en") != i18n.status_label(status, "ru")
    catalog = i18n.catalog("ru")
    assert catalog["labels"]["references"] == "Примечания"  # type: ignore[index]
    assert len(catalog["months"]) == 12  # type: ignore[arg-type]


def _summary(**counts: int) -> object:
    from linkaudit.report.summary import Summary

    by_status = tuple((status, counts.get(status.value, 0)) for status in Status)
    links = sum(counts.values())
    broken = sum(count for status, count in by_status if status.is_broken)
    return Summary(
        documents=1, references=links, links=links, by_status=by_status, broken=broken, blocked=0, archived=0,
        findings=0, drift=0, confirmed=0, suspect=0, verdict="",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"ok": 3, "content_drift": 1}, "1 из 4 ссылок (25%) недоступна; архивные копии найдены для 0."),
        ({"ok": 1, "dead": 2}, "2 из 3 ссылок (67%) недоступны; архивные копии найдены для 0."),
        ({"ok": 1}, "Единственная цитируемая ссылка доступна."),
        ({"ok": 1, "invalid": 1}, "Из 2 ссылок недоступных нет; 1 отвечает без признаков утраты; 1 ссылка не "
                                  "проверена (не веб-адрес или исключено настройками)."),
        ({"ok": 2, "skipped": 2}, "Из 4 ссылок недоступных нет; 2 отвечают без признаков утраты; 2 ссылки не "
                                  "проверены (не веб-адрес или исключено настройками)."),
        ({"ok": 2, "skipped": 5}, "Из 7 ссылок недоступных нет; 2 отвечают без признаков утраты; 5 ссылок не "
                                  "проверено (не веб-адрес или исключено настройками)."),
    ],
)
def test_russian_verdict_agrees_with_its_numbers(counts: dict[str, int], expected: str) -> None:
    from linkaudit.report.summary import verdict

    assert verdict(_summary(**counts), "ru") == expected  # type: ignore[arg-type]


def test_content_drift_counts_as_broken_in_english_too() -> None:
    from linkaudit.report.summary import verdict

    assert verdict(_summary(ok=3, content_drift=1), "en").startswith(  # type: ignore[arg-type]
        "1 of 4 cited links (25%) is broken"
    )
    assert i18n.status_label(Status.CONTENT_DRIFT, "ru") == "Другой материал"
