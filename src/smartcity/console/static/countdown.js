// A case's deadline countdown: the time left (or overdue) until its due time, kept up to date
// each minute while the deadline clock runs.
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const el = document.getElementById("countdown");
  if (!el || !page.due || !page.running) return;
  const T = (key, values) => (page.messages[key] || key).replace(/\{(\w+)\}/g, (_, k) => values[k]);
  const due = new Date(page.due).getTime();
  // the server's clock decides (it is the one deadlines are kept by); the browser adds the
  // time the page has been open
  const serverNow = new Date(page.now).getTime();
  const opened = Date.now();

  function show() {
    const left = due - (serverNow + Date.now() - opened);
    const minutes = Math.floor(Math.abs(left) / 60000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const span = (days ? T("countdown.days", { n: days }) + " " : "") + T("countdown.hours", { n: hours, m: minutes % 60 });
    el.textContent = T(left >= 0 ? "countdown.left" : "countdown.over", { time: span });
    el.dataset.overdue = left < 0 ? "1" : "0";
  }

  show();
  window.setInterval(show, 30000);
})();
