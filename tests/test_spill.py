"""spill: long sequences kept as compressed pickled chunks read back as they are iterated."""

from __future__ import annotations

import pickle
import sys

import pytest

from linkaudit.models import Document, DocumentKind, Half, ParsedDocument, Reference
from linkaudit.references import parse_document
from linkaudit.spill import Joined, Spilled, Spiller, joined, kept, spill


def _references(count: int) -> list[Reference]:
    return [
        Reference(
            id=f"notes.txt#A{n}",
            document="notes.txt",
            text=f"http://example.kz/news/{n}",
            line=n,
            list="A",
            number=str(n),
            halves=(Half(lang="und", text=f"http://example.kz/news/{n}", urls=(f"http://example.kz/news/{n}",)),),
            urls=(f"http://example.kz/news/{n}",),
        )
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("chunk", [1, 7, 512])
def test_a_spilled_sequence_reads_back_every_item_in_order(chunk: int) -> None:
    items = _references(1000)
    spilled = Spilled(items, chunk=chunk)
    assert len(spilled) == 1000
    assert list(spilled) == items
    assert list(spilled) == items  # iterated twice: nothing consumed
    assert spilled[0] == items[0]
    assert spilled[999] == items[999]
    assert spilled[-1] == items[-1]
    assert spilled[513] == items[513]
    assert tuple(spilled[10:13]) == tuple(items[10:13])
    assert items[500] in spilled
    assert spilled.index(items[700]) == 700


def test_an_index_out_of_range_is_an_index_error() -> None:
    spilled = Spilled(_references(3), chunk=2)
    with pytest.raises(IndexError):
        spilled[3]
    with pytest.raises(IndexError):
        spilled[-4]
    assert list(Spilled([])) == []


def test_spilled_items_take_a_fraction_of_the_memory_of_the_objects() -> None:
    items = _references(5000)
    pickled = len(pickle.dumps(items))
    spilled = Spilled(items)
    assert spilled.nbytes * 5 < pickled  # the compressed chunks are much smaller than even one plain pickle
    assert "Spilled of 5000 items" in repr(spilled)
    assert len(repr(spilled)) < 200  # a report's repr never spells out its content


def test_short_sequences_stay_tuples_and_long_ones_are_spilled() -> None:
    short = _references(10)
    assert spill(short, above=10) == tuple(short)
    assert isinstance(spill(short, above=10), tuple)
    long = spill(short, above=9)
    assert isinstance(long, Spilled)
    assert spill(long, above=9) is long
    assert list(long) == short


def test_joined_reads_its_parts_as_one_sequence() -> None:
    first, second = _references(5), _references(8)[5:]
    assert joined([tuple(first), tuple(second)]) == tuple(first + second)
    view = joined([Spilled(first, chunk=2), (), tuple(second)])
    assert isinstance(view, Joined)
    assert len(view) == 8
    assert list(view) == first + second
    assert view[4] == first[4] and view[5] == second[0] and view[-1] == second[-1]
    with pytest.raises(IndexError):
        view[8]


def test_a_long_document_is_kept_spilled_with_the_same_references() -> None:
    text = "".join(f"{n}. http://example.kz/news/{n}.html\n" for n in range(1, 6002))
    document = Document(name="notes.txt", kind=DocumentKind.TEXT, text=text, encoding="utf-8")
    parsed = parse_document(document)
    held = kept(parsed)
    assert isinstance(held.references, Spilled)
    assert list(held.references) == list(parsed.references)
    assert held.findings == parsed.findings
    small = kept(ParsedDocument(document, tuple(parsed.references[:3]), ()))
    assert isinstance(small.references, tuple)
    assert sys.getsizeof(held.references) < 1000


def test_spilled_records_come_back_with_every_field() -> None:
    """References, halves, found URLs and findings are pickled as their constructor's arguments: every field,
    the defaults left out nowhere."""
    from linkaudit.models import Finding, FindingKind, FoundUrl, Repair

    found = FoundUrl(url="https://doi.org/10.1/x", raw="doi:10.1/x", start=3, end=13, repairs=(Repair.DOI,),
                     candidates=("https://doi.org/10.1/x", "https://doi.org/10.1/x-"))  # fmt: skip
    half = Half(lang="ru", text="Т", authors="А", title="З", outlet="И", date="2012-11-03",
                urls=(found.url,), accessed="2013-01-01", number="7")  # fmt: skip
    reference = Reference(id="n#B7", document="n", text="T", line=9, list="B", number="7", ibid_of="n#B6",
                          halves=(half,), urls=(found.url,), found=(found,), page=4)  # fmt: skip
    finding = Finding(FindingKind.IBID_UNRESOLVED, "n#B7", "message", url=found.url)
    for item in (found, half, reference, finding):
        back = pickle.loads(pickle.dumps(item))
        assert back == item and type(back) is type(item)
    assert list(Spilled([reference, reference], chunk=1)) == [reference, reference]


def test_a_spiller_stays_a_tuple_while_short_and_spills_chunk_by_chunk_beyond() -> None:
    from linkaudit.spill import Spiller

    items = _references(30)
    short: Spiller[Reference] = Spiller(above=30, chunk=4)
    short.extend(items)
    assert len(short) == 30
    assert short.done() == tuple(items)
    long: Spiller[Reference] = Spiller(above=5, chunk=4)
    for count, item in enumerate(items, start=1):
        long.append(item)
        assert len(long) == count
        assert len(long._items) <= 5  # past ``above``, never more than a chunk of objects held
    made = long.done()
    assert isinstance(made, Spilled)
    assert list(made) == items
    assert made[29] == items[29] and made[5] == items[5]
    assert Spilled.of_blobs(made.chunks(), chunk=4)[17] == items[17]


def test_only_the_last_chunk_of_a_spilled_sequence_may_be_short() -> None:
    items = _references(10)
    chunks = Spilled(items[:3], chunk=4).chunks() + Spilled(items[3:], chunk=4).chunks()
    with pytest.raises(ValueError, match="last chunk"):
        Spilled.of_blobs(chunks, chunk=4)


def _lengths(items: list[Reference]) -> bytes:
    return ",".join(str(len(item.text)) for item in items).encode()


def test_a_spiller_with_an_encoder_keeps_each_chunks_encoding_beside_it() -> None:
    items = _references(10)
    spiller: Spiller[Reference] = Spiller(above=0, chunk=4, encode=_lengths)
    spiller.extend(items)
    spilled = spiller.done()
    assert isinstance(spilled, Spilled)
    assert list(spilled) == items
    assert spilled.encoded(_lengths) == [_lengths(items[0:4]), _lengths(items[4:8]), _lengths(items[8:10])]
    assert spilled.encoded(lambda chunk: b"") is None  # only what that very function made is handed out
    assert Spilled(items, chunk=4).encoded(_lengths) is None  # nothing was encoded


def test_an_encoding_is_one_per_chunk() -> None:
    made = Spilled(_references(10), chunk=4)
    with pytest.raises(ValueError, match="one encoding for each chunk"):
        Spilled.of_blobs(made.chunks(), chunk=4, encoded=(_lengths, [b"1", b"2"]))
    again: Spilled[Reference] = Spilled.of_blobs(made.chunks(), chunk=4, encoded=(_lengths, [b"1", b"2", b"3"]))
    assert again.encoded(_lengths) == [b"1", b"2", b"3"]


def test_joined_parts_are_the_sequences_that_are_not_empty() -> None:
    first, second = _references(3), Spilled(_references(5), chunk=2)
    together = Joined([tuple(first), (), second])
    assert together.parts == [tuple(first), second]
