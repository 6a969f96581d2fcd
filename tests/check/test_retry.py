"""The retry policy on its own: Retry-After parsing, waits, and which outcomes are retried."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from linkaudit.check.fetch import (
    ConnectFailure,
    ConnectionReset,
    DnsFailure,
    FetchError,
    FetchTimeout,
    MalformedResponse,
    RedirectFailure,
    TlsFailure,
)
from linkaudit.check.retry import RetryPolicy, is_retryable_status, parse_retry_after
from linkaudit.config import Config
from linkaudit.models import Page

NOW = datetime(2024, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def page(status: int, retry_after: str | None = None) -> Page:
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Page(url="http://a.kz/", final_url="http://a.kz/", http_status=status, headers=headers)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def policy(sleeps: Sleeps, **overrides: float) -> RetryPolicy:
    settings = {"retries": 3, "backoff_base": 0.5, "retry_after_cap": 10.0, **overrides}
    return RetryPolicy(
        retries=int(settings["retries"]),
        backoff_base=settings["backoff_base"],
        retry_after_cap=settings["retry_after_cap"],
        sleep=sleeps,
        jitter=lambda: 0.5,
        clock=lambda: NOW,
    )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Fri, 01 Mar 2024 12:00:30 GMT", 30.0),
        ("Fri, 01 Mar 2024 11:00:00 GMT", None),  # in the past: no particular wait, the normal backoff applies
        ("Fri, 31 Dec 9999 23:59:59 GMT", (datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc) - NOW).total_seconds()),  # noqa: E501
        ("²", None),  # Unicode digits pass str.isdigit but are not delta-seconds
        ("①", None),
        ("١٢٠", None),  # Arabic-Indic 120
        ("1" * 10_000, None),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize("status", [429, 408, 500, 503, 599])
def test_transient_statuses_are_retried(status: int) -> None:
    assert is_retryable_status(status)
    assert RetryPolicy().should_retry(page(status))


@pytest.mark.parametrize("status", [200, 301, 400, 401, 403, 404, 410, 451])
def test_definitive_statuses_are_not_retried(status: int) -> None:
    assert not RetryPolicy().should_retry(page(status))


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (FetchTimeout("timed out"), True),
        (ConnectionReset("reset"), True),
        (DnsFailure("no such host"), False),
        (ConnectFailure("refused"), False),
        (TlsFailure("bad certificate"), False),
        (MalformedResponse("garbage"), False),
        (RedirectFailure("loop"), False),
    ],
)
def test_which_errors_are_retried(error: FetchError, retried: bool) -> None:
    assert RetryPolicy().should_retry(error) is retried


def test_backoff_grows_exponentially_and_is_capped() -> None:
    rules = policy(Sleeps(), retry_after_cap=3.0)
    assert [rules.delay(attempt) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]


def test_jitter_spreads_the_wait() -> None:
    low = RetryPolicy(backoff_base=1.0, jitter=lambda: 0.0).delay(1)
    high = RetryPolicy(backoff_base=1.0, jitter=lambda: 0.999).delay(1)
    assert low == 0.5
    assert 1.49 < high < 1.5


def test_retry_after_is_honoured_and_capped() -> None:
    rules = policy(Sleeps(), retry_after_cap=10.0)
    assert rules.delay(1, page(429, "4")) == 4.0
    assert rules.delay(1, page(503, "3600")) == 10.0
    assert rules.delay(1, page(503, "Fri, 01 Mar 2024 12:00:07 GMT")) == 7.0
    assert rules.delay(1, page(503, "whenever")) == 0.5  # unusable: ordinary backoff


def test_a_date_in_the_past_backs_off_normally() -> None:
    rules = policy(Sleeps())
    assert rules.delay(1, page(503, "Fri, 01 Mar 2024 11:00:00 GMT")) == rules.delay(1) == 0.5
    assert rules.delay(2, page(503, "Fri, 01 Mar 2024 11:00:00 GMT")) == 1.0


@pytest.mark.parametrize("value", ["99999", "Fri, 31 Dec 9999 23:59:59 GMT", "Fri, 01 Mar 2024 12:00:11 GMT"])
async def test_retry_after_beyond_the_cap_gives_up_at_once(value: str) -> None:
    sleeps = Sleeps()
    rules = policy(sleeps, retry_after_cap=10.0)
    assert not rules.should_retry(page(429, value))
    attempted = await rules.run(lambda: _answer(page(429, value)))
    assert attempted.attempts == 1
    assert sleeps.waits == []
    assert attempted.gave_up is not None and "beyond the 10 s linkaudit waits" in attempted.gave_up
    assert attempted.gave_up.startswith("the server asked to retry after ")


async def test_retry_after_beyond_the_cap_on_a_later_answer_stops_there() -> None:
    sleeps = Sleeps()
    answer, _, attempts = await run(policy(sleeps), page(503, "2"), page(503, "99999"), page(200))
    assert answer is not None and answer.http_status == 503
    assert attempts == 2
    assert sleeps.waits == [2.0]


@pytest.mark.parametrize("value", ["²", "①"])
async def test_unicode_digits_in_retry_after_are_ignored(value: str) -> None:
    sleeps = Sleeps()
    answer, _, attempts = await run(policy(sleeps, retries=2), page(429, value))
    assert answer is not None and attempts == 3
    assert sleeps.waits == [0.5, 1.0]  # the normal backoff


async def _answer(answer: Page) -> Page:
    return answer


def test_policy_from_config() -> None:
    rules = RetryPolicy.from_config(Config(retries=5, backoff_base=0.25, retry_after_cap=9.0))
    assert (rules.retries, rules.backoff_base, rules.retry_after_cap) == (5, 0.25, 9.0)


async def run(rules: RetryPolicy, *outcomes: Page | Exception) -> tuple[Page | None, FetchError | None, int]:
    queue = list(outcomes)

    async def operation() -> Page:
        outcome = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    attempted = await rules.run(operation)
    return attempted.page, attempted.error, attempted.attempts


async def test_503_twice_then_200() -> None:
    sleeps = Sleeps()
    answer, error, attempts = await run(policy(sleeps), page(503), page(503), page(200))
    assert answer is not None and answer.http_status == 200
    assert error is None
    assert attempts == 3
    assert sleeps.waits == [0.5, 1.0]


async def test_429_waits_as_told() -> None:
    sleeps = Sleeps()
    answer, _, attempts = await run(policy(sleeps), page(429, "2"), page(200))
    assert answer is not None and answer.http_status == 200
    assert attempts == 2
    assert sleeps.waits == [2.0]


async def test_retries_spent_give_the_last_answer() -> None:
    sleeps = Sleeps()
    answer, error, attempts = await run(policy(sleeps, retries=2), page(500))
    assert answer is not None and answer.http_status == 500
    assert error is None
    assert attempts == 3
    assert len(sleeps.waits) == 2


async def test_404_is_final_at_once() -> None:
    sleeps = Sleeps()
    answer, _, attempts = await run(policy(sleeps), page(404))
    assert answer is not None and answer.http_status == 404
    assert attempts == 1
    assert sleeps.waits == []


async def test_dns_failure_is_not_retried() -> None:
    sleeps = Sleeps()
    answer, error, attempts = await run(policy(sleeps), DnsFailure("no such host"))
    assert answer is None
    assert isinstance(error, DnsFailure)
    assert attempts == 1
    assert sleeps.waits == []


async def test_timeouts_are_retried_until_spent() -> None:
    sleeps = Sleeps()
    _, error, attempts = await run(policy(sleeps, retries=2), FetchTimeout("timed out"))
    assert isinstance(error, FetchTimeout)
    assert attempts == 3


async def test_reset_then_success() -> None:
    answer, error, attempts = await run(policy(Sleeps()), ConnectionReset("reset"), page(200))
    assert answer is not None and error is None
    assert attempts == 2


async def test_no_retries_configured() -> None:
    _, _, attempts = await run(policy(Sleeps(), retries=0), page(503))
    assert attempts == 1


async def test_bugs_are_not_swallowed() -> None:
    with pytest.raises(RuntimeError):
        await run(policy(Sleeps()), RuntimeError("bug"))


async def test_rate_limited_service_pauses_before_each_retry_and_gives_up() -> None:
    from linkaudit.check.retry import RateLimited, rate_limit_pause, retrying_rate_limited

    class Limited(RateLimited):
        def __init__(self, retry_after: float | None) -> None:
            self.retry_after = retry_after

    answers: list[object] = [Limited(5.0), Limited(None), "captures"]
    pauses: list[float] = []

    async def attempt() -> object:
        return answers.pop(0)

    assert await retrying_rate_limited(attempt, pause=pauses.append, attempts=3, cap=30.0) == "captures"
    assert pauses == [5.0, 30.0]  # Retry-After honoured; without it the default pause, capped
    answers[:] = [Limited(1.0), Limited(2.0)]
    with pytest.raises(Limited):
        await retrying_rate_limited(attempt, pause=pauses.append, attempts=2, cap=30.0)
    assert rate_limit_pause(None, 600.0) == 60.0
