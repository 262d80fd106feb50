"""What a package's header, manifest and body may look like, checked before
any of it is used: types, sizes and nesting depth. Whatever a file holds, a
package that does not fit raises ``Malformed`` (with a short Chinese
detail), which the readers turn into a refusal as damaged
(``package.PackageRejected``, reason ``CORRUPT``), never a traceback.

Every size read from a file is bounded before the bytes are parsed; the
JSON parser's own depth guard (``RecursionError``) is a refusal too, and the
checks below walk a fixed shape, so nothing deeper than that shape is used.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from typing import Any


MAX_HEADER = 4096  # bytes: the header says only who and how
MAX_MANIFEST = 1 << 20
MAX_BODY = 512 << 20  # decompressed body: a 100,000-member county is about 150 MB
MAX_TEXT = 1 << 20  # one cell
MAX_ID = 200
STAMP = re.compile(r"^\d{13}-\d{5,6}-[0-9A-Za-z_.:-]{1,64}$")
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")


class Malformed(ValueError):
    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail


def refuse(detail: str = "") -> Malformed:
    return Malformed(detail)


def _no_constant(name: str):
    raise ValueError(name)


def loads(data: bytes, *, limit: int) -> Any:
    """Parse JSON from a package, bounded in size; NaN/Infinity refused."""
    if len(data) > limit:
        raise refuse("内容过大")
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise refuse() from None


def decompress(body: bytes) -> bytes:
    """zlib, never more than ``MAX_BODY`` bytes out (a small file cannot
    expand to fill the memory)."""
    try:
        d = zlib.decompressobj()
        out = d.decompress(body, MAX_BODY + 1)
        if len(out) > MAX_BODY or d.unconsumed_tail:
            raise refuse("内容过大")
        out += d.flush()
    except zlib.error:
        raise refuse("内容无法读取") from None
    if len(out) > MAX_BODY or not d.eof:
        raise refuse("内容无法读取")
    return out


# ---------------------------------------------------------------- small checks

def _text(value: Any, limit: int = MAX_ID, *, empty: bool = True) -> bool:
    return isinstance(value, str) and len(value) <= limit and (empty or bool(value))


def _int(value: Any, *, low: int = 0, high: int = 1 << 62) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _scalar(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int)):
        return not isinstance(value, int) or abs(value) < (1 << 63)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= MAX_TEXT


def _scalars(row: list) -> None:
    """Every cell a scalar within bounds (inlined: this runs for every cell
    of a package, 760,000 of them for 20,000 members)."""
    for v in row:
        t = type(v)
        if t is str:
            if len(v) > MAX_TEXT:
                raise refuse("内容过大")
        elif t is int:
            if not -(1 << 63) <= v < (1 << 63):
                raise refuse("内容格式不对")
        elif t is float:
            if not math.isfinite(v):
                raise refuse("内容格式不对")
        elif v is not None and t is not bool:
            raise refuse("内容格式不对")


def _stamp(value: Any, *, empty: bool = False) -> bool:
    if value == "" and empty:
        return True
    return isinstance(value, str) and STAMP.match(value) is not None


def header(value: Any) -> dict:
    """The outer header: who and how, all short strings."""
    if not isinstance(value, dict) or len(value) > 16:
        raise refuse()
    for key in ("kind", "county", "sender", "receiver"):
        if key in value and not _text(value[key]):
            raise refuse("封面格式不对")
    if value.get("kind") not in ("changes", "setup"):
        raise refuse("封面格式不对")
    enc = value.get("enc")
    if not isinstance(enc, dict) or len(enc) > 8 or not _text(enc.get("alg")) or not _text(enc.get("nonce")):
        raise refuse("封面格式不对")
    for key, item in enc.items():
        if key == "n":
            if not _int(item, high=1 << 24):
                raise refuse("封面格式不对")
        elif not _text(item):
            raise refuse("封面格式不对")
    if "rk" in value and not _text(value["rk"]):
        raise refuse("封面格式不对")
    return value


def manifest(value: Any) -> dict:
    """The signed manifest (of a change or setup package)."""
    if not isinstance(value, dict):
        raise refuse("清单格式不对")
    for key in ("seq", "since", "upto", "ack_upto", "format", "audit_upto"):
        if key in value and not _int(value[key]):
            raise refuse("清单格式不对")
    for key in ("kind", "sender", "receiver", "created", "program", "questionnaire", "content_hash", "hlc"):
        if key in value and value[key] is not None and not _text(value[key]):
            raise refuse("清单格式不对")
    if "audit_upto_hash" in value and not (isinstance(value["audit_upto_hash"], str)
                                           and HASH.match(value["audit_upto_hash"])):
        raise refuse("清单格式不对")
    schema = value.get("schema", [])
    if not isinstance(schema, list) or len(schema) > 10000 or not all(_text(n) for n in schema):
        raise refuse("清单格式不对")
    county = value.get("county")
    if not isinstance(county, dict) or not all(_text(v) for v in county.values()):
        raise refuse("清单格式不对")
    for key in ("enrol", "device", "next_key"):
        item = value.get(key)
        if item is not None and (not isinstance(item, dict) or not all(_text(v) for v in item.values())):
            raise refuse("清单格式不对")
    counts = value.get("counts", {})
    if not isinstance(counts, dict) or not all(_int(v) for v in counts.values()):
        raise refuse("清单格式不对")
    for key in ("resend", "restored"):
        if key in value and not isinstance(value[key], bool):
            raise refuse("清单格式不对")
    return value


def body(value: Any) -> dict:
    """The rows: a list of table blocks, each with unique column names, rows
    of scalars as wide as the columns, and per row [created stamp, {field:
    stamp}, {field: base value}]."""
    if not isinstance(value, dict) or not isinstance(value.get("tables"), list):
        raise refuse("内容无法读取")
    for b in value["tables"]:
        if not isinstance(b, dict) or not isinstance(b.get("name"), str) or not NAME.match(b["name"]):
            raise refuse("内容格式不对")
        cols, rows, metas = b.get("columns"), b.get("rows"), b.get("meta")
        if (not isinstance(cols, list) or not all(isinstance(c, str) and NAME.match(c) for c in cols)
                or len(set(cols)) != len(cols) or "id" not in cols):
            raise refuse("内容格式不对")
        if not isinstance(rows, list) or not isinstance(metas, list) or len(rows) != len(metas):
            raise refuse("内容格式不对")
        width, id_at = len(cols), cols.index("id")
        colset = set(cols) | {"*"}
        for row in rows:
            if type(row) is not list or len(row) != width or not _text(row[id_at], empty=False):
                raise refuse("内容格式不对")
            _scalars(row)
        for meta in metas:
            if not isinstance(meta, list) or len(meta) != 3:
                raise refuse("内容格式不对")
            created, stamps, bases = meta
            if not _stamp(created, empty=True) or not isinstance(stamps, dict) or not isinstance(bases, dict):
                raise refuse("内容格式不对")
            if not all(k in colset and _stamp(s) for k, s in stamps.items()):
                raise refuse("内容格式不对")
            if not all(isinstance(k, str) and _scalar(v) for k, v in bases.items()):
                raise refuse("内容格式不对")
    if "audit" in value:
        audit_entries(value["audit"])
    refused = value.get("refused")
    if refused is not None:
        if not isinstance(refused, list) or len(refused) > 10000:
            raise refuse("内容格式不对")
        for item in refused:
            if not isinstance(item, dict) or not all(_text(v, MAX_TEXT) for v in item.values()):
                raise refuse("内容格式不对")
    return value


MAX_AUDIT = 50_000  # entries in one package (a laptop sends at most 20,000 at a time)
HASH = re.compile(r"^[0-9a-f]{64}$")


def audit_entries(value: Any) -> list:
    """A laptop's audit entries: a list of flat objects, each with its seq,
    short texts, a detail of scalars and its two chain hashes."""
    if not isinstance(value, list) or len(value) > MAX_AUDIT:
        raise refuse("审计记录格式不对")
    for e in value:
        if (not isinstance(e, dict) or not _int(e.get("seq"), low=1) or not _int(e.get("people"))
                or not all(_text(e.get(k)) for k in ("time", "user", "device", "action"))
                or not all(isinstance(e.get(k), str) and HASH.match(e[k]) for k in ("prev_hash", "hash"))):
            raise refuse("审计记录格式不对")
        detail = e.get("detail")
        if (not isinstance(detail, dict) or len(detail) > 50
                or not all(_text(k) and _scalar(v) and (not isinstance(v, str) or len(v) <= 4096)
                           for k, v in detail.items())):
            raise refuse("审计记录格式不对")
    return value
