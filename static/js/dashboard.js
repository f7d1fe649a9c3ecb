// Draws the dashboard's charts with Chart.js (static/vendor/chartjs) from the figures the page
// carries in <script type="application/json" id="dashboard-data"> (Django's json_script). Every
// chart has its table beside it: without JavaScript the tables are the dashboard.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f5fa8", "#c0392b", "#e08e0b", "#6c3483", "#138d75", "#7f8c8d", "#2e4053"];
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  Chart.defaults.datasets.bar.maxBarThickness = 36;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    var chart = new Chart(canvas, config);
    canvas.setAttribute("data-drawn", "true");
    return chart;
  }

  var integerAxis = { beginAtZero: true, ticks: { precision: 0 } };

  draw("chart-months", {
    type: "bar",
    data: {
      labels: data.months.labels,
      datasets: data.months.datasets.map(function (set, index) {
        return { label: set.label, data: set.data, backgroundColor: palette[index % palette.length] };
      })
    },
    options: {
      scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, integerAxis) },
      plugins: { legend: { position: "bottom" } }
    }
  });

  draw("chart-categories", {
    type: "bar",
    data: {
      labels: data.categories.labels,
      datasets: [{ data: data.categories.data, backgroundColor: palette }]
    },
    options: { indexAxis: "y", scales: { x: integerAxis }, plugins: { legend: { display: false } } }
  });

  draw("chart-units", {
    type: "bar",
    data: {
      labels: data.units.labels,
      datasets: [{ data: data.units.data, backgroundColor: palette[1] }]
    },
    options: { indexAxis: "y", scales: { x: integerAxis }, plugins: { legend: { display: false } } }
  });

  draw("chart-visits", {
    type: "bar",
    data: {
      labels: data.visits.labels,
      datasets: [
        { label: data.visits.planned_label, data: data.visits.planned, backgroundColor: "#aab7c4" },
        { label: data.visits.done_label, data: data.visits.done, backgroundColor: palette[0] }
      ]
    },
    options: { scales: { y: integerAxis }, plugins: { legend: { position: "bottom" } } }
  });
})();
