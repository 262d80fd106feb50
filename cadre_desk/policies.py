"""Policies as data: the county's employment-assistance policies, read from a
structured file, added, edited, retired and listed, and matched to households
by their eligibility rules.

A policy's ``eligibility`` is a rule of ``cadre_desk/rules.py`` evaluated once
per member of a household against a flat context (see ``member_context``):

- every member field of the questionnaire by its key (``health``,
  ``job_intention``, ``employment_channel``, ``stay_home_reasons`` ...);
- ``age`` (completed years on the reference date, from the ID number) and
  ``working_age`` (true when the age lies within the working-age bounds of the
  settings);
- every household field prefixed ``household.`` (``household.attribute``,
  ``household.main_cause`` ...).

A household can use a policy when at least one of its members satisfies the
rule. A policy without a rule is for organisations (employers, agencies): it
stands in the compilation but is never chosen for a household. A rule that
should hold for everyone is written ``{"all": []}``.

The file format (JSON; TOML with the same keys is accepted too) is documented
in docs/printing.md; ``read_policy_file`` is its one reader.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from . import domain, rules
from .errors import CadreDeskError, ImportFailed, NotFound
from .paths import resource_path
from .questionnaire import Questionnaire
from .storage import Store

FILE_FORMAT = "cadre-desk-policies"
SAMPLE_FILE = ("policies", "sample-policies.json")
TEXT_FIELDS = ("title", "kind", "doc_number", "issuer", "issued_on", "target", "benefit", "conditions",
               "procedure", "phone")
MEMBER_EXTRA_KEYS = ("age", "working_age")
HOUSEHOLD_PREFIX = "household."
# Sample rows get ids derived from their key, so loading the samples twice adds
# nothing and a sample the county deleted does not come back.
_SAMPLE_NAMESPACE = uuid.UUID("6f1c1d52-3c1e-4d55-9a63-2f6c8c1b7a10")
_YEAR_BRACKETS = re.compile(r"[\[［(（【〔]\s*(\d{4})\s*[\]］)）】〕]")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


class PolicyError(CadreDeskError):
    """A policy that cannot be saved as given (missing title, bad date or rule)."""


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    kind: str = ""
    doc_number: str = ""
    issuer: str = ""
    issued_on: str = ""
    target: str = ""
    benefit: str = ""
    conditions: str = ""
    procedure: str = ""
    phone: str = ""
    eligibility: Mapping | None = None
    retired: bool = False
    is_sample: bool = False
    sort_order: int = 0

    @cached_property
    def applies(self) -> Callable[[Mapping[str, Any]], bool] | None:
        """The eligibility rule compiled once (a batch of handbooks tests every
        policy against every household); None for a policy without a rule."""
        return rules.compile_rule(self.eligibility) if self.eligibility else None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def condition_lines(self) -> list[str]:
        return [line for line in self.conditions.splitlines() if line.strip()]

    @property
    def procedure_steps(self) -> list[str]:
        return [s.strip() for s in re.split(r"\s*(?:→|->|\n)\s*", self.procedure) if s.strip()]

    @property
    def issued_on_display(self) -> str:
        """2019-03-01 -> 2019年3月1日 (as dates are written on documents)."""
        try:
            day = dt.date.fromisoformat(self.issued_on)
        except ValueError:
            return self.issued_on
        return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- normalising one policy

def normalize_doc_number(text: str) -> str:
    """Write the year of a document number in 〔〕 (鲁人社发[2018]46号 -> 鲁人社发〔2018〕46号)."""
    return _YEAR_BRACKETS.sub(r"〔\1〕", re.sub(r"\s+", "", text or ""))


def _normalize_date(raw: Any, where: str) -> str:
    if rules.is_empty(raw):
        return ""
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    m = _CN_DATE.match(text)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        return dt.date.fromisoformat(text.replace("/", "-").replace(".", "-")).isoformat()
    except ValueError:
        raise PolicyError(f"{where}：印发日期“{text}”不是有效日期，请按 2019-03-01 或 2019年3月1日 填写") from None


def _text(raw: Any, joiner: str) -> str:
    if rules.is_empty(raw):
        return ""
    if isinstance(raw, (list, tuple)):
        return joiner.join(str(x).strip() for x in raw if str(x).strip())
    return str(raw).strip()


def known_context_keys(q: Questionnaire) -> set[str]:
    return ({f.key for f in q.member.fields} | set(MEMBER_EXTRA_KEYS)
            | {HOUSEHOLD_PREFIX + f.key for f in q.household.fields})


def check_eligibility(rule: Any, q: Questionnaire, where: str) -> Mapping | None:
    """The rule if it is well formed and reads only known fields; else PolicyError."""
    if rules.is_empty(rule):
        return None
    if isinstance(rule, str):
        try:
            rule = json.loads(rule)
        except (json.JSONDecodeError, RecursionError):
            raise PolicyError(f"{where}：适用条件规则不是有效的 JSON，请检查括号和引号") from None
    try:
        rules.check_rule(rule, "eligibility")
        used = rules.fields_of(rule)
    except ValueError as exc:
        raise PolicyError(f"{where}：适用条件规则写法有误（{exc}）") from None
    except (TypeError, AttributeError, KeyError, RecursionError):
        # A shape the rule language has no word for ({"all": 5}, a number as a field name).
        raise PolicyError(f"{where}：适用条件规则写法有误，请对照文件格式说明中的例子") from None
    unknown = sorted(used - known_context_keys(q))
    if unknown:
        raise PolicyError(f"{where}：适用条件规则用了不认识的字段 {'、'.join(unknown)}；"
                          "可用成员字段、age、working_age 和 household. 开头的户字段")
    return rule


def normalize_policy(raw: Mapping[str, Any], q: Questionnaire, where: str) -> dict[str, Any]:
    """One policy as given in a file or form -> the values stored in ``policies``."""
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}：每条政策应是一个对象（{{...}}）")
    unknown = sorted(set(raw) - {*TEXT_FIELDS, "eligibility", "retired", "is_sample", "sort_order", "key"})
    if unknown:
        raise PolicyError(f"{where}：不认识的项目 {'、'.join(unknown)}，请对照文件格式说明检查拼写")
    title = _text(raw.get("title"), "")
    if not title:
        raise PolicyError(f"{where}：缺少政策名称（title）")
    where = f"{where}（{title}）"
    values = {
        "title": title,
        "kind": _text(raw.get("kind"), ""),
        "doc_number": normalize_doc_number(_text(raw.get("doc_number"), "")),
        "issuer": _text(raw.get("issuer"), "、"),
        "issued_on": _normalize_date(raw.get("issued_on"), where),
        "target": _text(raw.get("target"), "\n"),
        "benefit": _text(raw.get("benefit"), "\n"),
        "conditions": _text(raw.get("conditions"), "\n"),
        "procedure": _text(raw.get("procedure"), " → "),
        "phone": _text(raw.get("phone"), "、"),
    }
    rule = check_eligibility(raw.get("eligibility"), q, where)
    values["eligibility"] = json.dumps(rule, ensure_ascii=False, sort_keys=True) if rule else None
    if "retired" in raw:
        values["retired"] = int(bool(raw["retired"]))
    if "is_sample" in raw:
        values["is_sample"] = int(bool(raw["is_sample"]))
    if "sort_order" in raw:
        order = raw["sort_order"]
        try:
            if isinstance(order, bool) or not isinstance(order, (int, float, str)):
                raise TypeError
            values["sort_order"] = int(order)
        except (TypeError, ValueError, OverflowError):
            raise PolicyError(f"{where}：排序号（sort_order）应为整数") from None
        if not -1_000_000 <= values["sort_order"] <= 1_000_000:
            raise PolicyError(f"{where}：排序号（sort_order）应在 -1000000 到 1000000 之间")
    return values


# ---------------------------------------------------------------- the file

def read_policy_file(path: str | Path, q: Questionnaire) -> list[dict[str, Any]]:
    """Every policy of a policy file, normalised. All problems are collected
    and raised together as ``ImportFailed`` (nothing is saved from a bad file)."""
    path = Path(path)
    try:
        raw_text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed(f"找不到政策文件 {path}，请检查路径") from None
    except UnicodeDecodeError:
        raise ImportFailed(f"政策文件 {path.name} 不是 UTF-8 编码的文本，请用记事本“另存为 UTF-8”后重试") from None
    try:
        data = tomllib.loads(raw_text) if path.suffix.lower() == ".toml" else json.loads(raw_text)
    except RecursionError:
        raise ImportFailed(f"政策文件 {path.name} 的括号嵌套太深，不是政策文件。请对照文件格式说明") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        at = f"第 {line} 行附近" if line else ""
        raise ImportFailed(f"政策文件 {path.name} {at}格式有误，请检查括号、引号和逗号") from None
    if isinstance(data, list):
        data = {"policies": data}
    if not isinstance(data, Mapping) or not isinstance(data.get("policies"), list):
        raise ImportFailed(f"政策文件 {path.name} 里没有 policies 列表，请对照文件格式说明")
    if data.get("format", FILE_FORMAT) != FILE_FORMAT:
        raise ImportFailed(f"文件 {path.name} 不是帮扶工作台的政策文件（format 应为 {FILE_FORMAT}）")
    file_is_sample = bool(data.get("is_sample", False))
    out, problems = [], []
    for i, raw in enumerate(data["policies"], start=1):
        try:
            values = normalize_policy(raw, q, f"第 {i} 条政策")
        except PolicyError as exc:
            problems.append(exc.message)
            continue
        values.setdefault("is_sample", int(file_is_sample))
        values.setdefault("sort_order", i)
        if isinstance(raw, Mapping) and raw.get("key"):
            values["_key"] = str(raw["key"])
        out.append(values)
    titles = [v["title"] for v in out]
    dupes = sorted({t for t in titles if titles.count(t) > 1})
    if dupes:
        problems.append(f"政策名称重复：{'、'.join(dupes)}（同一文件中政策名称不能重复）")
    if problems:
        more = f"（共 {len(problems)} 处问题）" if len(problems) > 1 else ""
        raise ImportFailed(f"政策文件 {path.name} 没有导入：{problems[0]}{more}", problems)
    return out


def policy_to_file_entry(p: Policy) -> dict[str, Any]:
    entry: dict[str, Any] = {k: getattr(p, k) for k in TEXT_FIELDS}
    entry["conditions"] = p.condition_lines
    entry["procedure"] = p.procedure_steps
    entry["eligibility"] = p.eligibility
    entry["is_sample"] = p.is_sample
    entry["sort_order"] = p.sort_order
    if p.retired:
        entry["retired"] = True
    return entry


def export_policies(store: Store, path: str | Path, *, include_retired: bool = True) -> int:
    """Write the policies to a file in the import format (to edit and re-import)."""
    policies = list_policies(store, include_retired=include_retired)
    data = {"format": FILE_FORMAT, "version": 1, "policies": [policy_to_file_entry(p) for p in policies]}
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(policies)


# ---------------------------------------------------------------- the table

def policy_from_row(row: Mapping[str, Any]) -> Policy:
    rule = json.loads(row["eligibility"]) if row.get("eligibility") else None
    return Policy(
        id=row["id"], title=row["title"], eligibility=rule, retired=bool(row.get("retired")),
        is_sample=bool(row.get("is_sample")), sort_order=int(row.get("sort_order") or 0),
        **{k: row.get(k) or "" for k in TEXT_FIELDS if k != "title"},
    )


_ORDER = " ORDER BY sort_order, issued_on, title"


def list_policies(store: Store, *, include_retired: bool = False) -> list[Policy]:
    sql = "SELECT * FROM policies WHERE deleted = 0"
    if not include_retired:
        sql += " AND COALESCE(retired, 0) = 0"
    return [policy_from_row(r) for r in store.rows(sql + _ORDER)]


def get_policy(store: Store, ref: str) -> Policy:
    """A policy by its id or a unique start of it (``policy list`` shows 8 characters)."""
    ref = (ref or "").strip().lower()
    rows = store.rows("SELECT * FROM policies WHERE deleted = 0 AND id LIKE ? ESCAPE '\\'",
                      [ref.replace("%", "\\%").replace("_", "\\_") + "%"]) if ref else []
    if not rows:
        raise NotFound(f"没有编号为“{ref}”的政策，请用 cadre-desk policy list 查看编号")
    if len(rows) > 1:
        raise NotFound(f"编号“{ref}”对应多条政策，请多写几位")
    return policy_from_row(rows[0])


def _by_title(store: Store, title: str) -> dict | None:
    rows = store.rows("SELECT * FROM policies WHERE deleted = 0 AND title = ?", [title])
    return rows[0] if rows else None


def add_policy(store: Store, values: Mapping[str, Any]) -> str:
    clean = normalize_policy(values, store.questionnaire, "新政策")
    if _by_title(store, clean["title"]):
        raise PolicyError(f"已有名为“{clean['title']}”的政策，请换一个名称或修改原政策")
    return store.insert("policies", _with_defaults(clean, store))


def _with_defaults(clean: Mapping[str, Any], store: Store) -> dict[str, Any]:
    row = {k: clean.get(k, "") for k in TEXT_FIELDS}
    row["eligibility"] = clean.get("eligibility")
    row["retired"] = clean.get("retired", 0)
    row["is_sample"] = clean.get("is_sample", 0)
    if "sort_order" in clean:
        row["sort_order"] = clean["sort_order"]
    else:
        last = store.db.execute("SELECT MAX(sort_order) FROM policies WHERE deleted = 0").fetchone()[0]
        row["sort_order"] = (last or 0) + 1
    return row


def edit_policy(store: Store, policy_id: str, changes: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Change some fields of a policy; the whole policy is re-checked first."""
    current = get_policy(store, policy_id)
    merged = policy_to_file_entry(current)
    merged.update(changes)
    clean = normalize_policy(merged, store.questionnaire, f"政策“{current.title}”")
    other = _by_title(store, clean["title"])
    if other and other["id"] != current.id:
        raise PolicyError(f"已有名为“{clean['title']}”的政策，请换一个名称")
    return store.update("policies", current.id, {k: v for k, v in clean.items()})


def retire_policy(store: Store, policy_id: str, retired: bool = True) -> Policy:
    """Retire (stop printing) or bring back a policy; it is never deleted, so
    old handbooks can still be explained."""
    p = get_policy(store, policy_id)
    store.update("policies", p.id, {"retired": int(retired)})
    return get_policy(store, p.id)


def save_policies(store: Store, policies: Iterable[Mapping[str, Any]], *,
                  id_for_key=None) -> ImportResult:
    """Add or update normalised policies, matched by title (or by ``id_for_key``), in one transaction."""
    result = ImportResult()
    with store.transaction():
        for values in policies:
            values = dict(values)
            key = values.pop("_key", None)
            if id_for_key and key:
                row_id = id_for_key(key)
                existing = store.rows("SELECT * FROM policies WHERE id = ?", [row_id])
                if existing:
                    result.unchanged.append(values["title"])
                    continue
                store.insert("policies", _with_defaults(values, store), row_id=row_id)
                result.added.append(values["title"])
                continue
            existing = _by_title(store, values["title"])
            if existing is None:
                store.insert("policies", _with_defaults(values, store))
                result.added.append(values["title"])
            elif store.update("policies", existing["id"], values):
                result.updated.append(values["title"])
            else:
                result.unchanged.append(values["title"])
    return result


def import_policies(store: Store, path: str | Path) -> ImportResult:
    """Import a policy file: new titles are added, known titles updated.
    Policies missing from the file are left as they are (retire them
    explicitly)."""
    return save_policies(store, read_policy_file(path, store.questionnaire))


@lru_cache(maxsize=1)
def _sample_wording() -> dict[str, tuple[tuple[str, str], ...]]:
    data = json.loads(resource_path(*SAMPLE_FILE).read_text(encoding="utf-8"))
    return {terms: tuple((str(a), str(b)) for a, b in pairs) for terms, pairs in (data.get("wording") or {}).items()}


def in_terms(policy: Policy, terms: str) -> Policy:
    """A sample policy as printed under the county's terms ("2021": 帮扶车间,
    乡村公益性岗位, 脱贫劳动力 …; the pairs of the sample file's ``wording``).
    A county's own policy is its official text and comes back unchanged, as
    does every eligibility rule."""
    pairs = _sample_wording().get(str(terms))
    if not policy.is_sample or not pairs:
        return policy
    changes = {}
    for name in TEXT_FIELDS:
        text = getattr(policy, name)
        if isinstance(text, str) and text:
            for old, new in pairs:
                text = text.replace(old, new)
            changes[name] = text
    return replace(policy, **changes)


def sample_policy_id(key: str) -> str:
    return uuid.uuid5(_SAMPLE_NAMESPACE, key).hex


def load_sample_policies(store: Store) -> int:
    """Add the bundled sample policies (marked as sample text) that are not in
    the database yet; running it again adds nothing. Returns how many were added."""
    values = read_policy_file(resource_path(*SAMPLE_FILE), store.questionnaire)
    return len(save_policies(store, values, id_for_key=sample_policy_id).added)


# ---------------------------------------------------------------- eligibility

def age_bounds(store: Store) -> tuple[int, int]:
    return domain.working_age_bounds(store)


def member_age(member: Mapping[str, Any], as_of: dt.date) -> int | None:
    return domain.member_age(member, as_of)


def member_context(member: Mapping[str, Any], household: Mapping[str, Any], q: Questionnaire,
                   as_of: dt.date, bounds: tuple[int, int]) -> dict[str, Any]:
    """The flat context a policy's eligibility rule is evaluated against."""
    ctx = {f.key: member.get(f.key) for f in q.member.fields}
    age = member_age(member, as_of)
    ctx["age"] = age
    ctx["working_age"] = age is not None and bounds[0] <= age < bounds[1]
    for f in q.household.fields:
        ctx[HOUSEHOLD_PREFIX + f.key] = household.get(f.key)
    return ctx


def eligible_members(policy: Policy, contexts: list[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Names of the members (``(name, context)`` pairs) the policy applies to."""
    applies = policy.applies
    if applies is None:
        return []
    return [name for name, ctx in contexts if applies(ctx)]


def policies_for_household(store: Store, household: Mapping[str, Any], members: list[Mapping[str, Any]],
                           as_of: dt.date, policies: list[Policy] | None = None,
                           bounds: tuple[int, int] | None = None) -> list[tuple[Policy, list[str]]]:
    """The current policies this household can use, each with the names of the
    members it applies to, in compilation order."""
    policies = list_policies(store) if policies is None else policies
    bounds = bounds or age_bounds(store)
    contexts = [(m.get("name") or "", member_context(m, household, store.questionnaire, as_of, bounds))
                for m in members]
    out = []
    for p in policies:
        names = eligible_members(p, contexts)
        if names:
            out.append((p, names))
    return out
