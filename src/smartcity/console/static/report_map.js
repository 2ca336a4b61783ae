// The citizen portal's place picker: the city's districts (its own GeoJSON, no base-map tiles);
// a tap or click puts a marker there and fills the form's lon and lat.
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const T = (key) => page.messages[key] || key;
  const mapEl = document.getElementById("pick-map");
  const lonEl = document.getElementById("lon");
  const latEl = document.getElementById("lat");
  const pickedEl = document.getElementById("picked");
  const map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: false, fadeAnimation: false });
  let marker = null;

  function pick(latlng, label) {
    const lon = latlng.lng.toFixed(6);
    const lat = latlng.lat.toFixed(6);
    lonEl.value = lon;
    latEl.value = lat;
    if (marker) marker.setLatLng(latlng);
    else marker = L.circleMarker(latlng, { radius: 9, color: "#fbbf24", weight: 3, fillOpacity: 0.6 }).addTo(map);
    pickedEl.textContent = T("report.picked").replace("{place}", label || "").replace("{lon}", lon).replace("{lat}", lat);
    mapEl.dataset.picked = "1";
  }

  pickedEl.textContent = T("map.loading");
  fetch("/report/areas.geojson", { headers: { Accept: "application/geo+json" } })
    .then((r) => { if (!r.ok) throw new Error("areas " + r.status); return r.json(); })
    .then((areas) => {
      const layer = L.geoJSON(areas, {
        style: { color: "#38bdf8", weight: 1.2, fillColor: "#14304b", fillOpacity: 0.55 },
        onEachFeature: (feature, shape) => {
          const p = feature.properties;
          const label = document.documentElement.lang === "en" ? p.name_en || p.name_zh : p.name_zh;
          shape.on("click", (e) => pick(e.latlng, label));
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [6, 6] });
      if (lonEl.value && latEl.value) pick(L.latLng(Number(latEl.value), Number(lonEl.value)));
      else pickedEl.textContent = T("report.pick_hint");
      mapEl.dataset.ready = "1";
    })
    .catch((error) => { pickedEl.textContent = String(error); });
})();
