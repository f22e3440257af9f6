/* Jingkai's one chart script: draws every chart box of a page from its json_script data with ECharts.

   A template declares a chart with a box and its data, and loads this script through base.html's
   `charts` block (only pages that draw charts load ECharts):

     {% block charts %}{% include "includes/charts.html" %}{% endblock %}
     <div id="x-chart" class="jk-chart" data-chart="bar-line" data-chart-data="x-chart-data"></div>
     {{ chart|json_script:"x-chart-data" }}

   data-chart names a drawer below (the shape of the data it reads); data-chart-data the json_script
   element's id. Other data-* attributes of the box carry what a drawer needs besides the data
   (translated series names, an index). Without ECharts, or when a drawer finds nothing to draw, a box
   keeps what it holds (a table of the same figures) or, when empty, is removed: the figures are always
   in a table on the page too. Boxes arriving later through htmx (profile panels) are drawn on arrival. */
(function () {
  "use strict";

  var percent = function (v) { return Math.round(v * 100) + "%"; };

  var DRAWERS = {
    // [{name, above}]: above-size enterprises per grid (home page).
    "grid-bars": function (rows) {
      var names = rows.map(function (r) { return r.name; });
      return {
        grid: {left: 40, right: 16, top: 16, bottom: 60},
        tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: names, axisLabel: {interval: 0, rotate: names.length > 8 ? 40 : 0}},
        yAxis: {type: "value", minInterval: 1},
        series: [{type: "bar", data: rows.map(function (r) { return r.above; }), itemStyle: {color: "#0d6efd"}, label: {show: true, position: "top"}}]
      };
    },

    // [{name, points: [[date, value], ...]}]: step lines over time (an enterprise's capital).
    "steps": function (series) {
      return {
        tooltip: {trigger: "axis"},
        legend: {top: 0},
        grid: {left: 60, right: 24, top: 40, bottom: 30},
        xAxis: {type: "time"},
        yAxis: {type: "value"},
        series: series.map(function (s) {
          return {name: s.name, type: "line", step: "end", symbolSize: 6, data: s.points};
        })
      };
    },

    // {kind, names, bars, line, unit, barName, lineName, lineUnit}: bars of an amount and a line of its
    // YoY on a second axis, or a pie of the bars when kind is "pie" (statistics pages, profile panel).
    "bar-line": function (data) {
      if (!data.names.length) { return null; }
      if (data.kind === "pie") {
        return {
          tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
          series: [{type: "pie", radius: ["35%", "65%"], data: data.names.map(function (n, i) { return {name: n, value: data.bars[i]}; })}]
        };
      }
      return {
        tooltip: {trigger: "axis"},
        legend: {top: 0},
        grid: {left: 56, right: 56, top: 36, bottom: data.names.length > 8 ? 80 : 40},
        xAxis: {type: "category", data: data.names, axisLabel: {interval: 0, rotate: data.names.length > 8 ? 40 : 0}},
        yAxis: [{type: "value", name: data.unit}, {type: "value", name: data.lineUnit || "%", splitLine: {show: false}}],
        series: [
          {name: data.barName, type: "bar", data: data.bars, itemStyle: {color: "#0d6efd"}},
          {name: data.lineName, type: "line", yAxisIndex: 1, data: data.line, itemStyle: {color: "#d63384"}}
        ]
      };
    },

    // {labels, series}: ECharts series over months, counts on the first axis, rates (0..1) on the second
    // (demand dashboard).
    "counts-rates": function (data) {
      return {
        tooltip: {trigger: "axis"},
        legend: {},
        xAxis: {type: "category", data: data.labels},
        yAxis: [{type: "value"}, {type: "value", min: 0, max: 1, axisLabel: {formatter: percent}}],
        series: data.series
      };
    },

    // {months, series: [{name, data}]}: one line per series (investment figures, cumulative by month).
    "lines": function (data) {
      return {
        tooltip: {trigger: "axis"}, legend: {type: "scroll"}, grid: {left: 40, right: 20, bottom: 30},
        xAxis: {type: "category", data: data.months}, yAxis: {type: "value"},
        series: data.series.map(function (s) { return {name: s.name, type: "line", data: s.data}; })
      };
    },

    // {grids, rate}: a campaign's answer rate (%) per grid.
    "answer-rate": function (data) {
      return {
        tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, bottom: 60},
        xAxis: {type: "category", data: data.grids, axisLabel: {rotate: 45}}, yAxis: {type: "value", max: 100},
        series: [{type: "bar", data: data.rate}]
      };
    },

    // {grids, choices: [{series: [{name, data}]}]}: the answers to one choice field (box data-index) per
    // grid, stacked.
    "answer-choices": function (data, box) {
      var choice = data.choices[Number(box.dataset.index)];
      return {
        tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 10, bottom: 60},
        xAxis: {type: "category", data: data.grids, axisLabel: {rotate: 45}}, yAxis: {type: "value", minInterval: 1},
        series: choice.series.map(function (s) { return {name: s.name, type: "bar", stack: "n", data: s.data}; })
      };
    },

    // {months, visits: [{label, data}], submitted, closed}: visits stacked by kind and demands submitted and
    // closed as lines (grid dashboard); the box names the demand series and the axes (data-submitted,
    // data-closed, data-visits, data-demands).
    "visits-demands": function (data, box) {
      var series = data.visits.map(function (s) { return {name: s.label, type: "bar", stack: "visits", data: s.data}; });
      series.push({name: box.dataset.submitted, type: "line", yAxisIndex: 1, data: data.submitted});
      series.push({name: box.dataset.closed, type: "line", yAxisIndex: 1, data: data.closed});
      return {
        tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 40, bottom: 30},
        xAxis: {type: "category", data: data.months},
        yAxis: [{type: "value", name: box.dataset.visits, minInterval: 1}, {type: "value", name: box.dataset.demands, minInterval: 1}],
        series: series
      };
    }
  };

  function fallBack(box) {
    // The box keeps the table it holds; an empty box would only leave a gap.
    if (!box.children.length) { box.remove(); }
  }

  function draw(box) {
    if (box.dataset.chartDrawn) { return; }
    box.dataset.chartDrawn = "true";
    var drawer = DRAWERS[box.dataset.chart];
    var source = document.getElementById(box.dataset.chartData);
    if (!window.echarts || !drawer || !source) { fallBack(box); return; }
    var option = drawer(JSON.parse(source.textContent), box);
    if (!option) { box.remove(); return; }
    // Tooltips drawn on the canvas: ECharts' HTML tooltips are markup with style attributes, which the
    // Content-Security-Policy refuses (docs/security.md §5).
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    box.innerHTML = "";
    var chart = window.echarts.init(box);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawIn(root) {
    if (root.matches && root.matches("[data-chart]")) { draw(root); }
    if (root.querySelectorAll) { root.querySelectorAll("[data-chart]").forEach(draw); }
  }

  window.jingkaiCharts = {drawers: DRAWERS, drawIn: drawIn};
  document.addEventListener("DOMContentLoaded", function () { drawIn(document); });
  document.addEventListener("htmx:load", function (event) { drawIn(event.target); });
})();
