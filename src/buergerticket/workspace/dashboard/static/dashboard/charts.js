/* Draws the dashboard's charts from the JSON block #dashboard-data (Chart.js, no inline script).
 * Every chart repeats a table on the page, so the canvases are images with a text alternative
 * and the charts stay out of the keyboard order. */
(function () {
  "use strict";
  var palette = ["#1a3da5", "#b3261e", "#a56a00", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037"];

  function draw(id, spec) {
    var canvas = document.getElementById(id);
    if (!canvas || !spec || !spec.labels || spec.labels.length === 0) {
      if (canvas) { canvas.parentElement.hidden = true; }
      return;
    }
    var datasets = spec.series.map(function (series, i) {
      return {
        label: series.label,
        data: series.data,
        backgroundColor: palette[i % palette.length],
        borderColor: palette[i % palette.length],
        borderWidth: 1
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: !!spec.stacked },
          y: {
            stacked: !!spec.stacked,
            beginAtZero: true,
            max: spec.percent ? 100 : undefined
          }
        }
      }
    });
  }

  function init() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    window.Chart.defaults.font.family = "'Fira Sans', system-ui, sans-serif";
    window.Chart.defaults.color = "#1b1f3b";
    draw("chart-departments", data.departments);
    draw("chart-intake", data.intake);
    draw("chart-services", data.services);
    draw("chart-automatic", data.automatic);
    draw("chart-clerks", data.clerks);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
