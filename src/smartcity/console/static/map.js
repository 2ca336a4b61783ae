// The city map: the city's own GeoJSON layers (no base-map tiles), switchable, cells coloured
// by a measure, devices with their latest readings; click a feature for its details.
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const T = (key) => page.messages[key] || key;
  const mapEl = document.getElementById("map");
  const statusEl = document.getElementById("map-status");
  const esc = (value) => String(value == null ? "" : value).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const name = (p) => (page.lang === "en" ? p.name_en || p.name_zh : p.name_zh || p.name_en);
  const STATUS_COLOURS = { active: "#34d399", silent: "#fbbf24", faulty: "#f87171" };
  const SCALE = ["#132a44", "#115e7d", "#0e7490", "#22d3ee", "#a5f3fc", "#fde047"];

  const map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: false, fadeAnimation: false });
  // Areas share one canvas (thousands of cells), drawn cells → streets → districts, so a click
  // reaches the topmost filled area; devices are SVG markers in a pane above it.
  const areaRenderer = L.canvas({ padding: 0.5 });
  map.createPane("devices").style.zIndex = 450;
  const deviceRenderer = L.svg({ pane: "devices" });
  const AREA_ORDER = ["cell", "street", "district"];
  const layers = {};
  let cellValues = {};
  let cellMax = 0;

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(url + " answered " + response.status);
    return response.json();
  }

  function colour(value) {
    if (!value || !cellMax) return SCALE[0];
    const index = Math.min(SCALE.length - 1, 1 + Math.floor((value / cellMax) * (SCALE.length - 2)));
    return SCALE[index];
  }

  function rows(pairs) {
    return "<table>" + pairs.map(([k, v]) => "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>").join("") + "</table>";
  }

  function areaPopup(level, p) {
    const pairs = [[T("map.code"), p.code], [T("map.area"), p.area_km2 + " km²"]];
    if (level === "cell") {
      // the figure the cells are coloured by (devices, open cases …), under its own name
      const select = document.getElementById("cell-measure");
      const label = select ? select.options[select.selectedIndex].text : T("map.device_count");
      pairs.push([label, cellValues[p.code] || 0]);
    }
    return "<h3>" + esc(name(p)) + "</h3>" + rows(pairs);
  }

  function devicePopup(p) {
    const typeName = page.types[p.type] || p.type;
    const readings = p.readings.length
      ? p.readings.map((r) => [r.name, r.value + (r.unit ? " " + r.unit : "")])
      : [[T("map.no_readings"), ""]];
    return "<h3>" + esc(p.name || p.device_id) + "</h3>" + rows([
      [T("map.type"), typeName],
      [T("map.status"), T("status." + p.status)],
      [T("map.last_seen"), p.last_seen ? new Date(p.last_seen).toLocaleString(page.lang === "en" ? "en-GB" : "zh-CN", { timeZone: "Asia/Shanghai" }) : T("map.never")],
    ].concat(readings)) + '<p><a href="/sensing/devices/' + encodeURIComponent(p.device_id) + '">' + esc(T("map.open_device")) + "</a></p>";
  }

  const cellsShown = () => Boolean(layers.cell && map.hasLayer(layers.cell));
  const STYLES = {
    district: () => ({ color: "#38bdf8", weight: 2, fill: !cellsShown(), fillColor: "#0e2a44", fillOpacity: 0.25 }),
    street: () => ({ color: "#7dd3fc", weight: 0.8, opacity: 0.6, fill: false }),
    cell: (f) => ({ color: "#2b5278", weight: 0.5, fillColor: colour(cellValues[f.properties.code]), fillOpacity: 0.7 }),
  };

  function areaLayer(level, collection) {
    return L.geoJSON(collection, {
      renderer: areaRenderer,
      style: STYLES[level],
      onEachFeature: (feature, layer) => {
        layer.bindPopup(() => areaPopup(level, feature.properties));
        if (level === "district") {
          layer.bindTooltip(esc(name(feature.properties)), { permanent: true, direction: "center", className: "district-label" });
        }
      },
    });
  }

  function deviceLayer(collection) {
    return L.geoJSON(collection, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        renderer: deviceRenderer, pane: "devices", radius: 6, weight: 1.5, color: "#08131f",
        fillColor: STATUS_COLOURS[feature.properties.status] || "#94a3b8", fillOpacity: 0.95,
      }),
      onEachFeature: (feature, layer) => layer.bindPopup(() => devicePopup(feature.properties)),
    });
  }

  function shown() {
    mapEl.dataset.layers = Object.keys(layers).filter((k) => map.hasLayer(layers[k])).sort().join(",");
  }

  const checked = (key) => {
    const box = document.querySelector('input[data-layer="' + key + '"]');
    return Boolean(box && box.checked);
  };

  function arrange() {
    // re-adding in order keeps districts drawn over cells on the shared canvas
    AREA_ORDER.forEach((key) => map.removeLayer(layers[key]));
    AREA_ORDER.filter(checked).forEach((key) => map.addLayer(layers[key]));
    layers.district.setStyle(STYLES.district);
    if (layers.devices) {
      if (checked("devices")) map.addLayer(layers.devices); else map.removeLayer(layers.devices);
    }
    shown();
  }

  async function loadMeasure(key) {
    const answer = await getJSON("/console/api/map/measures/" + encodeURIComponent(key));
    cellValues = answer.values;
    cellMax = answer.max;
    document.getElementById("legend-max").textContent = String(cellMax);
    if (layers.cell) layers.cell.setStyle(STYLES.cell);
    mapEl.dataset.measure = key;
  }

  async function start() {
    const select = document.getElementById("cell-measure");
    if (select) {
      await loadMeasure(select.value);
      select.addEventListener("change", () => loadMeasure(select.value));
    }
    for (const level of ["district", "street", "cell"]) {
      layers[level] = areaLayer(level, await getJSON("/console/api/map/areas/" + level));
    }
    if (layers.district.getLayers().length) map.fitBounds(layers.district.getBounds(), { padding: [12, 12] });
    else map.setView([31.23, 121.47], 9);
    map.on("popupopen", () => { mapEl.dataset.popup = "1"; });
    if (page.devices) {
      const devices = await getJSON("/console/api/map/devices");
      layers.devices = deviceLayer(devices);
      mapEl.dataset.devices = String(devices.features.length);
    }
    document.querySelectorAll("input[data-layer]").forEach((box) => box.addEventListener("change", arrange));
    arrange();
    statusEl.textContent = "";
    mapEl.dataset.ready = "1";
  }

  start().catch((error) => {
    statusEl.textContent = String(error);
    throw error;
  });
})();
