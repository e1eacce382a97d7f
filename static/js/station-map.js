/* The stations map (loaded only on /stations/map, after vendor/leaflet@1.9.4/leaflet.js; no build).
   Reads its data from <script type="application/json" id="map-data">: the tile layer (URL template,
   credits, subdomains), the centre and the markers, whose positions the server has already put in the
   tiles' coordinate system (GCJ-02 for Chinese providers). Popups are built with DOM nodes, never HTML
   strings, so a place's name cannot inject markup. Without this script the page still lists the places. */
(function () {
  "use strict";
  var box = document.getElementById("station-map");
  var source = box && document.getElementById(box.getAttribute("data-map"));
  if (!box || !source || !window.L || box.getAttribute("data-ready")) return;
  box.setAttribute("data-ready", "1");
  var data = JSON.parse(source.textContent);
  var map = L.map(box, { scrollWheelZoom: false });
  var tiles = data.tiles;
  var options = { attribution: tiles.attribution, maxZoom: 18, minZoom: 8 };
  if (tiles.subdomains && tiles.subdomains.length) options.subdomains = tiles.subdomains;
  L.tileLayer(tiles.url, options).addTo(map);

  function popup(marker) {
    var wrap = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.name;
    link.className = "map-popup-name";
    wrap.appendChild(link);
    var status = document.createElement("p");
    status.className = marker.open ? "is-open" : (marker.open === false ? "is-closed" : "");
    status.textContent = marker.status + " · " + marker.distance;
    wrap.appendChild(status);
    return wrap;
  }

  var bounds = [data.centre];
  L.circleMarker(data.centre, { radius: 7, color: "#1d4ed8", fillOpacity: 0.9 })
    .addTo(map).bindTooltip(data.here);
  data.markers.forEach(function (marker) {
    var colour = marker.open ? "#15803d" : (marker.open === false ? "#6b7280" : "#c2410c");
    L.circleMarker(marker.position, { radius: 11, color: colour, weight: 3, fillOpacity: 0.6 })
      .addTo(map).bindPopup(popup(marker));
    bounds.push(marker.position);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  else map.setView(data.centre, 14);
})();
