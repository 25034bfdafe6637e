"""JSON round trip for the frozen dataclasses the pure core keeps as state.

Dates, datetimes, tuples, frozensets and nested dataclasses survive the trip, so the
differ's state can live in a JSON column and come back equal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from typing import Any


def to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dt.datetime | dt.date):
        return obj.isoformat()
    if isinstance(obj, frozenset | set):
        return sorted((to_jsonable(v) for v in obj), key=repr)
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    return obj


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_jsonable(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` (a dataclass or a typing annotation) from JSON data."""
    if data is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        last: Exception | None = None
        for a in non_none:
            try:
                return from_jsonable(a, data)
            except (TypeError, ValueError, KeyError) as exc:
                last = exc
        raise ValueError(f"cannot read {data!r} as {tp}") from last
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        kwargs = {f.name: from_jsonable(hints[f.name], data[f.name])
                  for f in dataclasses.fields(tp) if f.name in data}
        return tp(**kwargs)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if tp is dt.date:
        return dt.date.fromisoformat(data)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_jsonable(args[0], v) for v in data)
        if args:
            return tuple(from_jsonable(a, v) for a, v in zip(args, data, strict=False))
        return tuple(data)
    if origin in (frozenset, set):
        return frozenset(from_jsonable(args[0], v) for v in data) if args else frozenset(data)
    if origin is list:
        return [from_jsonable(args[0], v) for v in data] if args else list(data)
    if origin in (dict, typing.Mapping) or tp is dict:
        return {k: from_jsonable(args[1], v) for k, v in data.items()} if args else dict(data)
    if tp is typing.Any:
        return data
    if tp is float and isinstance(data, int):
        return float(data)
    return data
