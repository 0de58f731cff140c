// The map of places: Leaflet draws the land of the world (Natural Earth, shipped with the site) or the tiles the
// edition names, and a marker per place with coordinates, sized by the number of mentions and linked to the place's
// page. The places come from map/places.js (a script, as pages opened from file:// cannot fetch JSON).
// On a place's page (data-current), the map centres on that place and shows the others around it.
(function () {
"use strict";
const box = document.getElementById("place-map");
const data = window.TEI_EDITION_MAP;
if (!box || !data || !window.L) return;
const L = window.L;
const root = box.dataset.root || "./";
const current = box.dataset.current || "";

const map = L.map(box, { worldCopyJump: true, minZoom: 1, maxZoom: data.tiles ? 18 : 9, zoomSnap: 0.5 });
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
if (data.tiles) {
  L.tileLayer(data.tiles, { attribution: data.attribution || "" }).addTo(map);
} else if (window.TEI_EDITION_LAND) {
  L.geoJSON(window.TEI_EDITION_LAND, {
    interactive: false,
    style: { color: "#b8ab92", weight: 1, fillColor: "#f3efe6", fillOpacity: 1 },
  }).addTo(map);
  if (data.attribution) map.attributionControl.addAttribution(data.attribution);
}

const most = Math.max(1, ...data.places.map((p) => p.mentions));
function size(place) {
  // The marker's area grows with the mentions: 12 px across for none, 44 px for the most mentioned place.
  return Math.round(12 + 32 * Math.sqrt(place.mentions / most));
}
function describe(place) {
  const n = place.mentions;
  return `${place.name}: ${n} ${n === 1 ? "mention" : "mentions"}`;
}

const points = [];
// The smallest markers last, so that they are drawn over the large ones and stay clickable.
for (const place of [...data.places].sort((a, b) => b.mentions - a.mentions)) {
  const d = size(place);
  const link = document.createElement("a");
  link.className = "map-marker" + (place.id === current ? " map-marker-current" : "");
  link.href = root + place.href;
  link.setAttribute("aria-label", describe(place));
  link.dataset.place = place.id;
  const marker = L.marker([place.lat, place.lon], {
    icon: L.divIcon({ className: "map-marker-icon", html: link, iconSize: [d, d] }),
    keyboard: false, // the link inside takes the focus
    title: "",
    zIndexOffset: place.id === current ? 1000 : -d,
  });
  marker.bindTooltip(place.id === current ? place.name : describe(place), {
    className: "map-label", direction: "top", offset: [0, -d / 2], permanent: place.id === current,
  });
  marker.addTo(map);
  points.push([place.lat, place.lon]);
}

const here = data.places.find((p) => p.id === current);
if (here) map.setView([here.lat, here.lon], 5);
else if (points.length === 1) map.setView(points[0], 5);
else if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 6 });
else map.setView([20, 0], 1);
})();
