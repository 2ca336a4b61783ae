// An entity's numeric attribute over a chosen period, drawn with Chart.js from the temporal history.
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const T = (key, params) => (page.messages[key] || key).replace(/\{(\w+)\}/g, (_, k) => String(params && params[k]));
  const canvas = document.getElementById("series-chart");
  const note = document.getElementById("series-note");
  const attrSelect = document.getElementById("series-attr");
  const periodSelect = document.getElementById("series-period");
  const locale = page.lang === "en" ? "en-GB" : "zh-CN";
  const format = (ms) => new Date(ms).toLocaleString(locale, { timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  Chart.defaults.color = "#8fa8bf";
  Chart.defaults.borderColor = "rgba(143,168,191,.15)";
  const chart = new Chart(canvas, {
    type: "line",
    data: { datasets: [{ label: "", data: [], borderColor: "#38bdf8", backgroundColor: "rgba(56,189,248,.15)", fill: true, pointRadius: 0, borderWidth: 2, tension: 0.2 }] },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
      interaction: { mode: "nearest", intersect: false },
      scales: { x: { type: "linear", ticks: { callback: (v) => format(v), maxTicksLimit: 8 } }, y: { beginAtZero: false } },
      plugins: { legend: { display: true }, tooltip: { callbacks: { title: (items) => items.length ? format(items[0].parsed.x) : "" } } },
    },
  });

  async function load() {
    canvas.dataset.ready = "0";
    note.textContent = T("map.loading");
    const params = new URLSearchParams({ entity: page.entity, attr: attrSelect.value, period: periodSelect.value });
    const response = await fetch("/console/api/series?" + params.toString(), { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("series answered " + response.status);
    const series = await response.json();
    const data = series.points.map(([at, value]) => ({ x: Date.parse(at), y: value }));
    chart.data.datasets[0].data = data;
    chart.data.datasets[0].label = series.attr + (series.unit ? " (" + series.unit + ")" : "");
    chart.options.scales.x.min = Date.parse(series.start);
    chart.options.scales.x.max = Date.parse(series.end);
    chart.update();
    note.textContent = data.length ? T("entity.points", { n: data.length }) + (series.partial ? " · " + T("entity.partial", { n: data.length }) : "") : T("entity.no_points");
    canvas.dataset.points = String(data.length);
    canvas.dataset.ready = "1";
    const url = new URL(window.location.href);
    url.searchParams.set("attr", attrSelect.value);
    url.searchParams.set("period", periodSelect.value);
    window.history.replaceState(null, "", url.toString());
  }

  attrSelect.addEventListener("change", load);
  periodSelect.addEventListener("change", load);
  load().catch((error) => { note.textContent = String(error); throw error; });
})();
