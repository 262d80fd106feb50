"""The 务工监测 page's chart (QtCharts): the year's people working month by
month as stacked bars (县内 / 省内县外 / 省外, and 地点不详 when any), the same
month of last year as a line, and the year's target as a line. A mixin of
``ui.work_monitor.WorkMonitorPage``: it draws into the page's chart view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QLineSeries, QStackedBarSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from cadre_desk import work_stats

SCOPES = ("县内", "省内县外", "省外")
UNKNOWN_PLACE = work_stats.PLACE_UNKNOWN
SCOPE_COLORS = {"县内": "#4f81bd", "省内县外": "#9bbb59", "省外": "#f79646", UNKNOWN_PLACE: "#b0b0b0"}
LAST_YEAR_COLOR = "#7f7f7f"
TARGET_COLOR = "#c0504d"


class WorkChart:
    """The monthly chart of the 务工监测 page."""

    def _draw_chart(self, result: dict[str, Any]) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        year = result["year"]
        chart.setTitle(f"{year} 年逐月务工人数（柱）与去年同月、年度目标（线）")
        this_year = {m["month"]: m for m in result["series"]["months"]}
        last = {m["month"]: m for m in result["last_year"]["months"]}
        keys = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
        categories = [f"{m}月" for m in range(1, 13)]
        bars = QStackedBarSeries()
        shown_scopes = list(SCOPES) + ([UNKNOWN_PLACE] if any(m.get(UNKNOWN_PLACE) for m in this_year.values()) else [])
        for scope in shown_scopes:
            s = QBarSet(scope)
            s.setColor(QColor(SCOPE_COLORS[scope]))
            s.setBorderColor(QColor(SCOPE_COLORS[scope]))
            s.append([float(this_year[k].get(scope, 0)) if k in this_year else 0.0 for k in keys])
            bars.append(s)
        chart.addSeries(bars)
        line = QLineSeries()
        line.setName(f"{year - 1} 年同月")
        pen = QPen(QColor(LAST_YEAR_COLOR))
        pen.setWidth(2)
        line.setPen(pen)
        for i, k in enumerate(f"{year - 1:04d}-{m:02d}" for m in range(1, 13)):
            if k in last:
                line.append(i, last[k]["total"])
        line.setPointsVisible(True)
        chart.addSeries(line)
        target = result["series"].get("target")
        series = [bars, line]
        if target:
            goal = QLineSeries()
            goal.setName(f"年度目标 {target:,}")
            pen = QPen(QColor(TARGET_COLOR))
            pen.setWidth(2)
            pen.setStyle(Qt.PenStyle.DashLine)
            goal.setPen(pen)
            goal.append(-0.5, target)
            goal.append(11.5, target)
            chart.addSeries(goal)
            series.append(goal)
        x = QBarCategoryAxis()
        x.append(categories)
        x.setLabelsFont(self.font)
        y = QValueAxis()
        top = max([m["total"] for m in this_year.values()] + [m["total"] for m in last.values()] + [target or 0, 4])
        y.setRange(0, top * 1.15)
        y.applyNiceNumbers()
        y.setLabelFormat("%d")
        y.setLabelsFont(self.font)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for s in series:
            s.attachAxis(x)
            s.attachAxis(y)

    def chart_values(self) -> dict[str, dict[str, float]]:
        """The chart's bars by scope and its lines, month by month (tests)."""
        out: dict[str, dict[str, float]] = {}
        for s in self.chart.series():
            if isinstance(s, QStackedBarSeries):
                for bar_set in s.barSets():
                    out[bar_set.label()] = {f"{i + 1}月": bar_set.at(i) for i in range(bar_set.count())}
            elif isinstance(s, QLineSeries):
                out[s.name()] = {f"{int(p.x()) + 1}月": p.y() for p in s.points() if p.x() >= 0}
        return out
