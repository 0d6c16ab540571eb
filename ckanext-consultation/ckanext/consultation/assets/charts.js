/* Charts of a consultation's protected results (Chart.js, vendored in vendor/chartjs).
 *
 * The data come from the JSON embedded in the page (the published release); a secret
 * cell is null: nothing is guessed. A group's secret cells are drawn together, as one
 * grey segment (its total minus its published cells). Each chart has its data table next
 * to it in the page, for screen readers and without JavaScript.
 */
ckan.module("consultation-chart", function ($) {
  // Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                 "#F0E442", "#000000"];
  var SECRET_COLOUR = "#CED4DA";

  function chartData(source, name) {
    var release = JSON.parse($("#" + source).text());
    for (var i = 0; i < release.charts.length; i++) {
      if (release.charts[i].name === name) { return release.charts[i]; }
    }
    return null;
  }

  return {
    options: { source: null, chart: null, secretLabel: "secret", percentLabel: "%",
               countLabel: "" },

    initialize: function () {
      var data = chartData(this.options.source, this.options.chart);
      if (!data || typeof Chart === "undefined") { return; }
      var options = this.options;
      var datasets, labels;
      if (data.grouped) {
        labels = data.groups;
        datasets = data.options.map(function (option, o) {
          return {
            label: option,
            data: data.percentages.map(function (row) { return row[o]; }),
            counts: data.counts.map(function (row) { return row[o]; }),
            backgroundColor: COLOURS[o % COLOURS.length]
          };
        });
        if (data.secret.some(function (share) { return share !== null; })) {
          // The secret cells of a group, together: its total minus its published cells.
          datasets.push({
            label: options.secretLabel,
            data: data.secret,
            counts: data.secret.map(function () { return null; }),
            backgroundColor: SECRET_COLOUR
          });
        }
      } else {
        labels = data.options;
        datasets = [{
          label: options.percentLabel,
          data: data.percentages[0],
          counts: data.counts[0],
          backgroundColor: data.options.map(function (_, o) { return COLOURS[o % COLOURS.length]; })
        }];
      }
      new Chart(this.el[0], {
        type: "bar",
        data: { labels: labels, datasets: datasets },
        options: {
          indexAxis: data.grouped ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { stacked: data.grouped, max: data.grouped ? 100 : undefined,
                 beginAtZero: true },
            y: { stacked: data.grouped, beginAtZero: true }
          },
          plugins: {
            legend: { display: data.grouped },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var count = context.dataset.counts[context.dataIndex];
                  var prefix = data.grouped ? context.dataset.label + " : " : "";
                  if (context.dataset.backgroundColor === SECRET_COLOUR) {
                    return options.secretLabel + " : " + context.parsed.x + " %";
                  }
                  if (count === null || count === undefined) {
                    return prefix + options.secretLabel;
                  }
                  return prefix + context.parsed[data.grouped ? "x" : "y"] + " % (" +
                    count.toLocaleString() + " " + options.countLabel + ")";
                }
              }
            }
          }
        }
      });
    }
  };
});
