// The overview's alert feed: server-sent events from /console/api/alerts/stream (the session
// cookie authenticates it); each status change is added at the top of the list by itself.
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const T = (key) => page.messages[key] || key;
  const list = document.getElementById("alert-feed");
  const state = document.getElementById("feed-state");
  const MAX_ITEMS = 30;
  const name = (a) => (page.lang === "en" ? a.name_en || a.name_zh : a.name_zh || a.name_en);
  // the city's time as the server writes it: 2026-01-05 09:00
  const time = (iso) => new Date(iso).toLocaleString("sv-SE", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });

  function span(className, text) {
    const el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  function add(event) {
    const alert = JSON.parse(event.data);
    const empty = document.getElementById("feed-empty");
    if (empty) empty.remove();
    const item = document.createElement("li");
    item.dataset.alert = String(alert.id);
    item.dataset.event = event.type;
    item.className = "fresh severity-" + alert.severity;
    const when = document.createElement("time");
    when.textContent = time(alert.at);
    const link = document.createElement("a");
    link.href = "/alerts?status=";
    link.textContent = name(alert);
    item.append(
      when,
      span("badge severity-" + alert.severity, T("severity." + alert.severity)),
      link,
      span("mono", alert.device_id),
      span("badge alert-" + alert.status, T("feed." + event.type)),
    );
    list.prepend(item);
    while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
    list.dataset.events = String(Number(list.dataset.events) + 1);
  }

  const source = new EventSource("/console/api/alerts/stream");
  source.addEventListener("open", () => { state.dataset.state = "open"; });
  source.addEventListener("error", () => { state.dataset.state = "reconnecting"; });
  for (const type of ["raised", "acknowledged", "resolved"]) source.addEventListener(type, add);
  window.addEventListener("pagehide", () => source.close());
})();
