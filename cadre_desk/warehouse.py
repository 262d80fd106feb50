"""The county's register for the province's analytical engine, as Parquet.

``export_warehouse`` writes one Parquet file per table (``TABLES``) and a
``schema.json`` into a folder. A prefecture or province collects the folders of
its counties and reads them all at once with DuckDB, Spark, Trino or a
warehouse (docs/province.md has the SQL). The files are written by DuckDB's own
Parquet writer; DuckDB is imported only when an export runs.

People are pseudonymous: instead of the ID number every member carries
``person_key``, an HMAC-SHA256 of the normalised ID number under a key the
province holds and hands to every county (a key file), so that the same person
registered in two counties has the same key in both and the files can be
joined, while the key cannot be reversed without the province's key. Names, ID
numbers, phones, free-text answers, birth dates and household numbers are left
out unless ``full`` is asked for. Only the county office's database (or one
not set up for sync) exports: a cadre's laptop holds only that cadre's households. Every row carries ``county_code``; the row
ids (UUIDs) are unique within a county, so joins across counties go on
``(county_code, ..._id)``.

``as_of`` is the reference date of the export: ages are taken on it and dated
records after it (applications, offer outcomes, payments, measures begun) are
left out, so a province can ask every county for "the register as of 30 April".

A new table (e.g. work spells, once the register keeps them) is one more entry
in ``TABLES``: its query and its columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, places
from .errors import CadreDeskError, os_error_reason
from .storage import Store

FORMAT_VERSION = 1
KEY_ENV = "CADRE_DESK_PROVINCE_KEY_FILE"
MIN_KEY_BYTES = 16
SCHEMA_FILE = "schema.json"

# Questionnaire field types exported in the pseudonymous files (coded answers and
# numbers). Text, ID number, phone and date answers can name or locate a person:
# they are exported only with ``full``.
_CODED_TYPES = {"code": "VARCHAR", "multi": "VARCHAR", "int": "BIGINT", "bool": "BOOLEAN", "number": "DOUBLE"}
_FULL_TYPES = {"text": "VARCHAR", "id_number": "VARCHAR", "phone": "VARCHAR", "date": "VARCHAR"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a DuckDB type: VARCHAR, BIGINT, DOUBLE, BOOLEAN, DATE
    doc: str
    full_only: bool = False


@dataclass
class TableSpec:
    name: str
    doc: str
    columns: list[Column]
    # Rows as dicts keyed by column name (missing keys are NULL).
    rows: Callable[[Store, ExportContext], Iterable[dict[str, Any]]] = field(repr=False)


@dataclass
class ExportContext:
    as_of: dt.date
    county_code: str
    key: bytes
    full: bool

    def person_key(self, id_number: str | None) -> str | None:
        return person_key(self.key, id_number)


@dataclass
class ExportSummary:
    folder: Path
    county_code: str
    county_name: str
    as_of: str
    key_id: str
    full: bool
    rows: dict[str, int]
    files: list[str]


# ------------------------------------------------------------------ the key
def normalise_id_number(id_number: str | None) -> str | None:
    if id_number is None:
        return None
    text = str(id_number).strip().upper()
    return text or None


def person_key(key: bytes, id_number: str | None) -> str | None:
    """The pseudonymous key of a person: HMAC-SHA256 of the normalised ID number
    (upper-case X, no spaces), first 32 hex digits. None without an ID number."""
    text = normalise_id_number(id_number)
    if text is None:
        return None
    return hmac.new(key, text.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:32]


def key_id(key: bytes) -> str:
    """A short fingerprint of the province's key (not the key): every county's
    export records it, so the province sees at once a county that used another key."""
    return hashlib.sha256(b"cadre-desk-province-key-id:" + key).hexdigest()[:12]


def load_key(path: str | os.PathLike | None) -> bytes:
    """The province's key from a key file: 64 hex digits on one line (what
    ``openssl rand -hex 32`` writes), or any file of at least 16 bytes used as
    it is. ``path`` None falls back to the environment variable ``CADRE_DESK_PROVINCE_KEY_FILE``."""
    if path is None:
        path = os.environ.get(KEY_ENV) or None
    if path is None:
        raise CadreDeskError(f"缺少省里下发的密钥文件：请用 --key-file 指定（或设置环境变量 {KEY_ENV}）。"
                             "密钥文件由省（市）就业部门统一生成并发给各县，同一人在各县才能对上")
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise CadreDeskError(f"找不到密钥文件 {p}，请检查路径") from None
    except OSError as exc:
        raise CadreDeskError(f"无法读取密钥文件 {p}：{os_error_reason(exc)}") from None
    text = data.strip()
    if re.fullmatch(rb"[0-9a-fA-F]+", text or b"x") and len(text) % 2 == 0:
        key = bytes.fromhex(text.decode("ascii"))
    else:
        key = data
    if len(key) < MIN_KEY_BYTES:
        raise CadreDeskError(f"密钥文件 {p.name} 太短（{len(key)} 字节，至少 {MIN_KEY_BYTES} 字节）："
                             "请使用省里下发的密钥文件，例如 openssl rand -hex 32 生成的 64 位十六进制数")
    return key


# ------------------------------------------------------------------ tables
def _age_on(birth_date: str | None, day: dt.date) -> int | None:
    """Completed years on ``day`` (the birthday itself counts), the same rule as
    ``stats.birthday_cutoff``: someone born on 29 February reaches an age on
    1 March in a non-leap year."""
    if not birth_date:
        return None
    try:
        born = dt.date.fromisoformat(str(birth_date)[:10])
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _question_columns(store: Store, level: str) -> list[tuple[Column, str]]:
    out = []
    for f in store.questionnaire.part(level).fields:
        if f.key in ("name", "id_number", "number"):
            continue  # fixed columns below
        if f.type in _CODED_TYPES:
            out.append((Column(f.key, _CODED_TYPES[f.type], f.label + ("（JSON 列表）" if f.type == "multi" else "")), f.type))
        elif f.type in _FULL_TYPES:
            out.append((Column(f.key, _FULL_TYPES[f.type], f.label, full_only=True), f.type))
    return out


def _households_spec(store: Store) -> TableSpec:
    questions = _question_columns(store, "household")
    cols = [
        Column("county_code", "VARCHAR", "县（市、区）代码"),
        Column("household_id", "VARCHAR", "户的标识（县内唯一的 UUID）"),
        Column("town_code", "VARCHAR", "乡镇（街道）代码"), Column("town_name", "VARCHAR", "乡镇（街道）"),
        Column("village_code", "VARCHAR", "行政村代码"), Column("village_name", "VARCHAR", "行政村"),
        Column("number", "VARCHAR", "户编号", full_only=True),
        *[c for c, _ in questions],
    ]
    qkeys = [(c.name, t) for c, t in questions]

    def rows(store: Store, ctx: ExportContext):
        sql = (f"SELECT h.id, t.code, t.name, v.code, v.name, h.number"
               f"{''.join(f', h.[{k}]' for k, _ in qkeys)} "
               f"FROM households h LEFT JOIN villages v ON v.id = h.village_id LEFT JOIN towns t ON t.id = v.town_id "
               f"WHERE h.deleted = 0 ORDER BY h.id")
        for r in store.db.execute(sql):
            row = {"county_code": ctx.county_code, "household_id": r[0], "town_code": r[1], "town_name": r[2],
                   "village_code": r[3], "village_name": r[4], "number": r[5]}
            row.update(zip((k for k, _ in qkeys), r[6:]))
            yield row

    return TableSpec("households", "贫困户（未删除的）", cols, rows)


def _members_spec(store: Store) -> TableSpec:
    questions = _question_columns(store, "member")
    cols = [
        Column("county_code", "VARCHAR", "县（市、区）代码"),
        Column("member_id", "VARCHAR", "成员的标识（县内唯一的 UUID）"),
        Column("household_id", "VARCHAR", "所在户的标识"),
        Column("person_key", "VARCHAR", "假名化的人员键：身份证号码在省级密钥下的 HMAC-SHA256（前 32 位十六进制）；"
                                        "同一人在各县相同，没有身份证号码时为空"),
        Column("sex", "VARCHAR", "性别"),
        Column("birth_year", "BIGINT", "出生年份"),
        Column("age", "BIGINT", "截止日期（as_of）时的周岁"),
        Column("name", "VARCHAR", "姓名", full_only=True),
        Column("id_number", "VARCHAR", "身份证号码", full_only=True),
        Column("birth_date", "VARCHAR", "出生日期", full_only=True),
        *[c for c, _ in questions],
    ]
    qkeys = [(c.name, t) for c, t in questions]

    def rows(store: Store, ctx: ExportContext):
        sql = (f"SELECT m.id, m.household_id, m.id_number, m.sex, m.birth_date, m.name"
               f"{''.join(f', m.[{k}]' for k, _ in qkeys)} "
               f"FROM members m JOIN households h ON h.id = m.household_id "
               f"WHERE m.deleted = 0 AND h.deleted = 0 ORDER BY m.id")
        for r in store.db.execute(sql):
            born = r[4]
            row = {"county_code": ctx.county_code, "member_id": r[0], "household_id": r[1],
                   "person_key": ctx.person_key(r[2]), "sex": r[3],
                   "birth_year": int(born[:4]) if born and str(born)[:4].isdigit() else None,
                   "age": _age_on(born, ctx.as_of), "name": r[5], "id_number": r[2], "birth_date": born}
            row.update(zip((k for k, _ in qkeys), r[6:]))
            yield row

    return TableSpec("members", "贫困户成员（未删除的户中未删除的成员）", cols, rows)


def _simple_spec(name: str, doc: str, sql: str, cols: list[Column]) -> TableSpec:
    names = [c.name for c in cols if c.name != "county_code"]

    def rows(store: Store, ctx: ExportContext):
        for r in store.db.execute(sql, {"as_of": ctx.as_of.isoformat()}):
            yield {"county_code": ctx.county_code, **dict(zip(names, r))}

    return TableSpec(name, doc, [Column("county_code", "VARCHAR", "县（市、区）代码"), *cols], rows)


def _applications_spec(_store: Store) -> TableSpec:
    return _simple_spec(
        "applications", "岗位申请（截止日期及以前提出的）",
        "SELECT id, member_id, opening_id, applied_on FROM applications "
        "WHERE deleted = 0 AND (applied_on IS NULL OR applied_on <= :as_of) ORDER BY id",
        [Column("application_id", "VARCHAR", "申请的标识"), Column("member_id", "VARCHAR", "申请人"),
         Column("opening_id", "VARCHAR", "岗位"), Column("applied_on", "DATE", "申请日期")])


def _offers_spec(_store: Store) -> TableSpec:
    return _simple_spec(
        "offers", "推荐给成员的岗位及结果（结果日期在截止日期及以前的）",
        "SELECT o.id, o.member_id, o.opening_id, o.recommendation_id, o.rank, o.status, o.status_on, r.recommended_on "
        "FROM offers o LEFT JOIN recommendations r ON r.id = o.recommendation_id "
        "WHERE o.deleted = 0 AND (o.status_on IS NULL OR o.status_on <= :as_of) ORDER BY o.id",
        [Column("offer_id", "VARCHAR", "推荐岗位的标识"), Column("member_id", "VARCHAR", "被推荐人"),
         Column("opening_id", "VARCHAR", "岗位"), Column("recommendation_id", "VARCHAR", "所属的一次推荐"),
         Column("rank", "BIGINT", "推荐顺位"), Column("status", "VARCHAR", "结果（录用、在岗、离岗、未录用……）"),
         Column("status_on", "DATE", "结果日期"), Column("recommended_on", "DATE", "推荐日期")])


def _measures_spec(_store: Store) -> TableSpec:
    return _simple_spec(
        "measures", "帮扶措施：培训、自主创业、公益性岗位等（截止日期及以前开始的）",
        "SELECT id, member_id, household_id, kind, title, start_date, end_date, completed, people_employed, months "
        "FROM measures WHERE deleted = 0 AND (start_date IS NULL OR start_date = '' OR start_date <= :as_of) ORDER BY id",
        [Column("measure_id", "VARCHAR", "措施的标识"), Column("member_id", "VARCHAR", "成员"),
         Column("household_id", "VARCHAR", "户"), Column("kind", "VARCHAR", "措施种类"),
         Column("title", "VARCHAR", "名称（如培训班名称、岗位名称）"), Column("start_date", "DATE", "开始日期"),
         Column("end_date", "DATE", "结束日期"), Column("completed", "BOOLEAN", "是否完成"),
         Column("people_employed", "BIGINT", "带动就业人数"), Column("months", "BIGINT", "月数")])


def _payments_spec(_store: Store) -> TableSpec:
    return _simple_spec(
        "payments", "补贴发放（截止日期及以前发放的）；household_id 是补贴写明的户，否则是领取成员所在的户",
        "SELECT s.id, s.member_id, coalesce(s.household_id, (SELECT m.household_id FROM members m WHERE m.id = s.member_id)), "
        "s.kind, s.amount_yuan, s.paid_on, s.paid_to FROM subsidies s "
        "WHERE s.deleted = 0 AND s.paid_on <= :as_of ORDER BY s.id",
        [Column("payment_id", "VARCHAR", "发放记录的标识"), Column("member_id", "VARCHAR", "成员"),
         Column("household_id", "VARCHAR", "户"), Column("kind", "VARCHAR", "补贴种类"),
         Column("amount_yuan", "DOUBLE", "金额（元）"), Column("paid_on", "DATE", "发放日期"),
         Column("paid_to", "VARCHAR", "领取人", full_only=True)])


# Each: a function of the store (the questionnaire decides some columns) -> TableSpec.
TABLES: list[Callable[[Store], TableSpec]] = [
    _households_spec, _members_spec, _applications_spec, _offers_spec, _measures_spec, _payments_spec,
]
COUNTY_TABLE = "county"


def _county_spec() -> list[Column]:
    return [
        Column("county_code", "VARCHAR", "县（市、区）代码"), Column("county_name", "VARCHAR", "县（市、区）名称"),
        Column("as_of", "DATE", "截止日期：年龄按此日计算，此日以后的记录不导出"),
        Column("working_age_min", "BIGINT", "劳动年龄下限（含）"), Column("working_age_max", "BIGINT", "劳动年龄上限（不含）"),
        Column("key_id", "VARCHAR", "省级密钥的指纹（不是密钥本身）：各县应相同"),
        Column("full", "BOOLEAN", "是否含姓名、身份证号码、电话（--full）"),
        Column("exported_at", "VARCHAR", "导出时间（UTC）"), Column("app_version", "VARCHAR", "帮扶工作台版本"),
    ]


# ------------------------------------------------------------------ values
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _convert(value: Any, type_: str) -> Any:
    """A stored SQLite value as the column's type; what cannot be read as that
    type (a stray text in a number column) becomes NULL rather than failing the export."""
    if value is None or value == "":
        return None
    try:
        if type_ == "VARCHAR":
            return value if isinstance(value, str) else str(value)
        if type_ == "BIGINT":
            return int(float(value)) if not isinstance(value, int) else value
        if type_ == "DOUBLE":
            return float(value)
        if type_ == "BOOLEAN":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "是", "yes")
            return bool(value)
        if type_ == "DATE":
            text = str(value)
            if not _DATE.match(text):
                return None
            return dt.date.fromisoformat(text[:10])
    except (TypeError, ValueError):
        return None
    raise ValueError(f"unknown column type {type_}")


def _write_parquet(con, path: Path, columns: list[Column], rows: list[dict[str, Any]]) -> None:
    import numpy as np

    arrays = {}
    for i, c in enumerate(columns):
        values = [_convert(r.get(c.name), c.type) for r in rows]
        arrays[f"c{i}"] = np.array(values, dtype=object) if values else np.array([], dtype=object)
    # DuckDB reads the dict of NumPy arrays in place (a replacement scan of the
    # local variable ``data``) and casts every column to its declared type.
    data = arrays  # noqa: F841 - read by DuckDB by name
    select = ", ".join(f"CAST(c{i} AS {c.type}) AS \"{c.name}\"" for i, c in enumerate(columns))
    tmp = path.with_name(path.name + ".tmp")
    con.execute(f"COPY (SELECT {select} FROM data) TO '{_sql_path(tmp)}' (FORMAT parquet, COMPRESSION zstd)")
    os.replace(tmp, path)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _duckdb():
    try:
        import duckdb
    except ImportError:
        raise CadreDeskError("导出需要 DuckDB：请安装 duckdb（pip install 'cadre-desk[warehouse]'），"
                             "或使用包含它的安装包") from None
    return duckdb


def export_warehouse(store: Store, folder: str | os.PathLike, *, as_of: dt.date, key: bytes,
                     full: bool = False) -> ExportSummary:
    """Write the register as Parquet files into ``folder`` (created if needed;
    files of an earlier export there are replaced, each one only once it is
    complete). See the module docstring for what the files hold."""
    from .sync import roles

    if roles.role(store) == roles.LAPTOP:
        raise CadreDeskError("这是帮扶干部的电脑，只有本人负责的户：台账导出请在县就业办的数据库上进行")
    duckdb = _duckdb()
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise CadreDeskError(f"{out} 是一个文件，不是文件夹：请给出导出用的文件夹")
    out.mkdir(parents=True, exist_ok=True)
    county = places.county(store)
    ctx = ExportContext(as_of=as_of, county_code=county["code"], key=key, full=full)
    con = duckdb.connect()
    counts: dict[str, int] = {}
    schema_tables = []
    files = []
    try:
        for make in TABLES:
            spec = make(store)
            columns = [c for c in spec.columns if full or not c.full_only]
            rows = list(spec.rows(store, ctx))
            _write_parquet(con, out / f"{spec.name}.parquet", columns, rows)
            counts[spec.name] = len(rows)
            files.append(f"{spec.name}.parquet")
            schema_tables.append({"name": spec.name, "file": f"{spec.name}.parquet", "doc": spec.doc, "rows": len(rows),
                                  "columns": [{"name": c.name, "type": c.type, "doc": c.doc} for c in columns]})
        county_cols = _county_spec()
        low = int(store.get_setting("working_age_min", 16))
        high = int(store.get_setting("working_age_max", 60))
        exported_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        county_row = {"county_code": county["code"], "county_name": county["name"], "as_of": as_of.isoformat(),
                      "working_age_min": low, "working_age_max": high, "key_id": key_id(key), "full": full,
                      "exported_at": exported_at, "app_version": __version__}
        _write_parquet(con, out / f"{COUNTY_TABLE}.parquet", county_cols, [county_row])
        files.insert(0, f"{COUNTY_TABLE}.parquet")
        schema_tables.insert(0, {"name": COUNTY_TABLE, "file": f"{COUNTY_TABLE}.parquet", "doc": "本次导出的县与参数（一行）",
                                 "rows": 1, "columns": [{"name": c.name, "type": c.type, "doc": c.doc} for c in county_cols]})
    finally:
        con.close()
    schema = {"format": "cadre-desk-warehouse", "format_version": FORMAT_VERSION, "app_version": __version__,
              "county_code": county["code"], "county_name": county["name"], "as_of": as_of.isoformat(),
              "key_id": key_id(key), "full": full, "exported_at": exported_at,
              "person_key": "HMAC-SHA256(省级密钥, 身份证号码去空格、X 大写) 的前 32 位十六进制",
              "tables": schema_tables}
    tmp = out / (SCHEMA_FILE + ".tmp")
    tmp.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / SCHEMA_FILE)
    files.append(SCHEMA_FILE)
    return ExportSummary(folder=out, county_code=county["code"], county_name=county["name"], as_of=as_of.isoformat(),
                         key_id=key_id(key), full=full, rows=counts, files=files)
