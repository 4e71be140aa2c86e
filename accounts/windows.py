"""Lists read a window at a time: what a paginator pages through when the rows are not a
queryset (read by id, by a prepared query, or summed by the database)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Generic, TypeVar, overload

T = TypeVar("T")


class Windowed(ABC, Generic[T]):
    """A list as a paginator reads it: its length (`__len__`), then a window of its rows,
    `_window(start, stop)` with `stop > start` (past the end it gives what there is). An
    index is a window of one; a slice needs its end (a list is not read whole by accident);
    reading it all is one window."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def _window(self, start: int, stop: int) -> list[T]:
        """The rows from `start` to `stop`, in order: each kind of list reads them its way."""

    def __iter__(self) -> Iterator[T]:
        return iter(self[0 : len(self)])

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, int):
            if index < 0:
                index += len(self)
            found = self[index : index + 1] if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step not in (None, 1) or index.stop is None:
            raise TypeError("This list is read a window at a time.")
        start, stop = max(index.start or 0, 0), index.stop
        return self._window(start, stop) if stop > start else []
