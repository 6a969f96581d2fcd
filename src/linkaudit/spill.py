"""Long read-only sequences kept small: the references of a 100,000-note document, held as compressed pickled
chunks instead of a million Python objects, and read back a chunk at a time as the stages and report writers
iterate over them.

Only the process's own objects are pickled here, in memory, and read back by the same process: nothing is ever
unpickled from outside.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import chain, islice
from typing import Generic, TypeVar, overload

from .models import ParsedDocument

T = TypeVar("T")
# What a reader of a sequence will make of each chunk of it (the JSON of its references), made where the chunk
# was made (a worker) and kept beside it: a function of the chunk's items, and its answer for each chunk.
Encode = Callable[[list[T]], bytes]

SPILL_ABOVE = 5_000  # items: shorter sequences stay plain tuples (nothing to gain, and nothing to unpickle)
CHUNK = 512  # items pickled together: field names and shared strings are written once per chunk


class ReadOnly(Sequence[T]):
    """A sequence whose items are found by ``_at(position)``; slices are copied out as tuples."""

    _length = 0

    def __len__(self) -> int:
        return self._length

    def _at(self, position: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return tuple(self)[index]
        return self._at(_position(index, self._length))


class Spilled(ReadOnly[T]):
    """A tuple-like sequence stored as zlib-compressed pickles of ``chunk`` items each. Iterating unpickles one
    chunk at a time; indexing unpickles the chunk that holds the item (the last one read is kept)."""

    def __init__(self, items: Iterable[T], *, chunk: int = CHUNK) -> None:
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        self._chunk = chunk
        self._blobs: list[bytes] = []
        self._length = 0
        self._cached: tuple[int, list[T]] | None = None
        self._encoded: tuple[Encode[T], list[bytes]] | None = None
        iterator = iter(items)
        while batch := list(islice(iterator, chunk)):
            self._blobs.append(pickle_chunk(batch))
            self._length += len(batch)

    @classmethod
    def of_blobs(
        cls,
        blobs: Iterable[tuple[bytes, int]],
        *,
        chunk: int = CHUNK,
        encoded: tuple[Encode[T], list[bytes]] | None = None,
    ) -> Spilled[T]:
        """A spilled sequence of chunks pickled already (``pickle_chunk``), each of ``chunk`` items but the last:
        (blob, its number of items). ``encoded``: a function and what it made of each chunk's items (see
        ``encoded``)."""
        spilled: Spilled[T] = cls((), chunk=chunk)
        for blob, count in blobs:
            if spilled._length % chunk:
                raise ValueError("only the last chunk may be short")
            spilled._blobs.append(blob)
            spilled._length += count
        if encoded is not None:
            if len(encoded[1]) != len(spilled._blobs):
                raise ValueError("one encoding for each chunk")
            spilled._encoded = encoded
        return spilled

    def encoded(self, encode: Encode[T]) -> list[bytes] | None:
        """``encode(items)`` of each chunk's items, in order, when they were made with the chunks (by the
        process that made the items), else None."""
        if self._encoded is None or self._encoded[0] is not encode:
            return None
        return self._encoded[1]

    def chunks(self) -> list[tuple[bytes, int]]:
        """The pickled chunks, as ``of_blobs`` takes them."""
        return [(blob, min(self._chunk, self._length - index * self._chunk)) for index, blob in enumerate(self._blobs)]

    def __iter__(self) -> Iterator[T]:
        for index in range(len(self._blobs)):
            yield from self._load(index)

    def _at(self, position: int) -> T:
        block, offset = divmod(position, self._chunk)
        return self._load(block)[offset]

    def __repr__(self) -> str:  # never the whole content: a report's repr must stay small
        return f"<Spilled of {self._length} items in {len(self._blobs)} chunks, {self.nbytes:,} bytes>"

    @property
    def nbytes(self) -> int:
        return sum(len(blob) for blob in self._blobs)

    def _load(self, block: int) -> list[T]:
        if self._cached is not None and self._cached[0] == block:
            return self._cached[1]
        items: list[T] = pickle.loads(zlib.decompress(self._blobs[block]))
        self._cached = (block, items)
        return items


class Joined(ReadOnly[T]):
    """Several sequences read as one, without copying them (the references of every document of a run)."""

    def __init__(self, parts: Iterable[Sequence[T]]) -> None:
        self._parts = [part for part in parts if len(part)]
        self._length = sum(len(part) for part in self._parts)

    def __iter__(self) -> Iterator[T]:
        return chain.from_iterable(self._parts)

    @property
    def parts(self) -> list[Sequence[T]]:
        """The sequences joined, in order (none empty)."""
        return list(self._parts)

    def _at(self, position: int) -> T:
        index = position
        for part in self._parts:
            if index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError("index out of range")  # pragma: no cover - the bounds were checked

    def __repr__(self) -> str:
        return f"<Joined of {self._length} items in {len(self._parts)} parts>"


def pickle_chunk(items: list[T]) -> bytes:
    """One chunk as a ``Spilled`` keeps it."""
    return zlib.compress(pickle.dumps(items, pickle.HIGHEST_PROTOCOL), 1)


class Spiller(Generic[T]):
    """A sequence built item by item that never holds more than a chunk of Python objects once it is long:
    the first ``above`` items (default ``SPILL_ABOVE``) are kept as they are, and past that every full chunk is
    pickled as it fills. ``done()`` gives a tuple when it stayed short, else a ``Spilled``. ``encode``: a function
    also applied to each chunk as it is pickled, its answers kept with the chunks (``Spilled.encoded``)."""

    def __init__(self, *, above: int | None = None, chunk: int = CHUNK, encode: Encode[T] | None = None) -> None:
        self._above = SPILL_ABOVE if above is None else above
        self._chunk = chunk
        self._encode = encode
        self._items: list[T] = []
        self._blobs: list[tuple[bytes, int]] | None = None  # None: not spilling yet
        self._encoded: list[bytes] = []

    def __len__(self) -> int:
        return len(self._items) + sum(count for _, count in self._blobs or ())

    def append(self, item: T) -> None:
        self._items.append(item)
        if self._blobs is None:
            if len(self._items) <= self._above:
                return
            self._blobs = []
        if len(self._items) >= self._chunk:
            self._flush(self._chunk)

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def _flush(self, least: int) -> None:
        assert self._blobs is not None
        while len(self._items) >= least and self._items:
            batch, self._items = self._items[: self._chunk], self._items[self._chunk :]
            self._blobs.append((pickle_chunk(batch), len(batch)))
            if self._encode is not None:
                self._encoded.append(self._encode(batch))

    def done(self) -> Sequence[T]:
        if self._blobs is None:
            return tuple(self._items)
        self._flush(1)
        blobs, self._blobs, self._items = self._blobs, [], []
        encoded, self._encoded = self._encoded, []
        made = None if self._encode is None else (self._encode, encoded)
        return Spilled.of_blobs(blobs, chunk=self._chunk, encoded=made)


def _position(index: int, length: int) -> int:
    """``index`` counted from the start (a negative one from the end); IndexError outside ``length`` items."""
    position = index + length if index < 0 else index
    if not 0 <= position < length:
        raise IndexError("index out of range")
    return position


def spill(items: Sequence[T], *, above: int | None = None) -> Sequence[T]:
    """``items`` as a tuple when no longer than ``above`` (default ``SPILL_ABOVE``), else spilled."""
    if isinstance(items, (Spilled, Joined)) or len(items) <= (SPILL_ABOVE if above is None else above):
        return items if isinstance(items, (tuple, Spilled, Joined)) else tuple(items)
    return Spilled(items)


def joined(parts: Sequence[Sequence[T]]) -> Sequence[T]:
    """The parts as one sequence: a tuple when they are all tuples (small runs stay exactly as they were), the
    one part that is not empty as it is."""
    if all(isinstance(part, tuple) for part in parts):
        return tuple(item for part in parts for item in part)
    filled = [part for part in parts if len(part)]
    return filled[0] if len(filled) == 1 else Joined(filled)


def kept(parsed: ParsedDocument) -> ParsedDocument:
    """A parsed document as the rest of the run keeps it: a long reference list spilled, so 100,000 notes do not
    stay a million Python objects while their links are checked."""
    return replace(parsed, references=spill(parsed.references))
