"""Jobs: openings from enterprises, three recommendations per person, the
outcome of each offer, assistance measures and subsidies, and the list of who
is still not employed.

- ``openings``: enterprises and openings (validation, Excel import/export);
- ``matching``: the offers, their Chinese reasons and the note; ``scoring``: the hard
  constraints and the score over all openings as arrays; ``people``: members read for it;
- ``outcomes``: recorded recommendations, the offer status machine, applications;
- ``measures``: training, self-employment, public-welfare posts, subsidy payments;
- ``progress``: the working-age people not yet employed and the Excel export of
  the county figures.

The vocabulary below is shared by all of them (and by the UI).
"""

from __future__ import annotations

from ..codes import code_list

# The five ways an opening leads to work (code list ``opening_route``).
ROUTES = code_list("opening_route").values
HOME_ROUTE = "居家就业"
PUBLIC_WELFARE_ROUTE = "公益性岗位"

# Where an opening is, relative to a person's own village, nearest first.
PLACES = ("本村", "本镇", "本县", "省内", "省外")

PAY_UNITS = code_list("pay_unit").values

# 就业渠道 a member gets when hired into an opening of each route.
ROUTE_TO_CHANNEL = {
    "企业就业": "企业就业",
    "扶贫车间": "扶贫车间",
    "居家就业": "居家就业",
    "劳务输出": "劳务输出",
    "公益性岗位": "公益性岗位",
}

# Education levels in order; an opening's minimum is met by this level or higher.
EDUCATION_ORDER = code_list("education_level").values

# Labour abilities that can take work; an opening accepts a subset of these.
from ..domain import ABLE_LABOUR as ABLE_LABOUR  # noqa: E402  (re-exported: the vocabulary of the jobs modules)
