"""The demo's fixed figures: address codes, the spread of work by labour
capacity, and the word lists (``resources/demo.json``)."""

from __future__ import annotations

import json
from functools import lru_cache

from ..domain import ABLE_LABOUR, WEAK_LABOUR
from ..paths import resource_path

DEFAULT_HOUSEHOLDS = 300
DEFAULT_SEED = 2020
NEW_CODE, OLD_CODE = "371581", "372502"
# Spouses married in from neighbouring counties keep their own address code.
NEIGHBOUR_CODES = ("371522", "371521", "371524", "130535", "130534")

ABLE = ABLE_LABOUR
WEAK = WEAK_LABOUR
CHANNELS_ABLE = {"企业就业": 24, "扶贫车间": 14, "居家就业": 9, "劳务输出": 22, "自主创业": 6, "公益性岗位": 7,
                 "灵活就业": 18}
CHANNELS_WEAK = {"企业就业": 4, "扶贫车间": 20, "居家就业": 30, "公益性岗位": 30, "灵活就业": 10, "自主创业": 6}
INTENTION_OF_CHANNEL = {"企业就业": "县内企业就业", "扶贫车间": "县内企业就业", "居家就业": "居家就业",
                        "劳务输出": "外出务工", "自主创业": "自主创业", "公益性岗位": "公益性岗位",
                        "灵活就业": "县内企业就业"}
PLACES_OF_INTENTION = {"县内企业就业": ["本村", "本镇", "本县"], "外出务工": ["本县", "省内", "省外"],
                       "居家就业": ["本村"], "公益性岗位": ["本村", "本镇"], "自主创业": ["本村", "本镇"]}
INCOME_OF_INTENTION = {"县内企业就业": (2000, 4000), "外出务工": (3500, 6000), "居家就业": (800, 2000),
                       "公益性岗位": (300, 600), "自主创业": (3000, 5000)}
WORK_STATUS_OF_CHANNEL = {"企业就业": ("乡(镇)内务工", "乡(镇)外县内务工"), "扶贫车间": ("乡(镇)内务工",),
                          "居家就业": ("乡(镇)内务工",), "劳务输出": ("县外省内务工", "省外务工"),
                          "公益性岗位": ("乡(镇)内务工",), "灵活就业": ("乡(镇)内务工", "其他")}
# Outcomes of an offer, in the words of the jobs area's status machine
# (cadre_desk/jobs/outcomes.py); the hired ones count in the figures.
OFFER_OPEN = ("推荐", "联系", "面试")
OFFER_REJECTED = "未录用"
OFFER_HIRED = ("在岗", "录用", "离岗")


@lru_cache(maxsize=1)
def word_lists() -> dict:
    return json.loads(resource_path("demo.json").read_text(encoding="utf-8"))
