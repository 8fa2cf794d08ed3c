// Back-office analytics: draws every chart described in the JSON block #chart-data with Chart.js.
(function () {
  var holder = document.getElementById('chart-data');
  if (!holder || typeof Chart === 'undefined') { return; }
  var configs = JSON.parse(holder.textContent);
  window.baCharts = {};
  configs.forEach(function (c) {
    var canvas = document.getElementById('chart-' + c.key);
    if (!canvas) { return; }
    var options = {responsive: true, maintainAspectRatio: false, animation: false, plugins: {legend: {display: c.datasets.length > 1}}};
    var type = c.kind;
    if (type === 'bar' || type === 'line') {
      options.scales = {x: {stacked: !!c.options.stacked}, y: {stacked: !!c.options.stacked, beginAtZero: true, ticks: {precision: 0}}};
      if (c.options.percent) { options.scales.y.ticks = {callback: function (v) { return v + '%'; }}; }
    }
    if (type === 'bubble') {
      var days = c.options.y.labels;
      var integers = function (from, to) { return function (axis) { axis.ticks = []; for (var v = from; v <= to; v++) { axis.ticks.push({value: v}); } }; };
      options.scales = {
        x: {min: c.options.x.min, max: c.options.x.max, title: {display: true, text: c.options.x.title},
            afterBuildTicks: integers(0, 23)},
        y: {min: c.options.y.min, max: c.options.y.max, reverse: true, title: {display: true, text: c.options.y.title},
            afterBuildTicks: integers(0, 6), ticks: {callback: function (v) { return days[v] || ''; }}}
      };
      options.plugins.tooltip = {callbacks: {label: function (ctx) { var p = ctx.raw; return days[p.y] + ' ' + p.x + ':00 — ' + p.n + ' booking(s)'; }}};
    }
    window.baCharts[c.key] = new Chart(canvas, {type: type, data: {labels: c.labels, datasets: c.datasets}, options: options});
  });
})();
