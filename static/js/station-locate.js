// "Use my current location" on the station form: the phone's position (WGS-84) fills latitude and longitude,
// the coordinate system is set to GPS, and the accuracy is said. Without JavaScript or geolocation the button
// stays hidden and the other two ways (a pasted map link, typed numbers) work as before. It also shows a partner
// building's fast-lane fields only for that kind.
(function () {
  "use strict";
  function setUp(root) {
    var box = (root || document).querySelector("[data-locate-box]");
    if (!box || box.dataset.ready || !navigator.geolocation) { return; }
    box.dataset.ready = "1";
    var form = box.closest("form");
    var status = box.querySelector("[data-locate-status]");
    var button = box.querySelector("[data-locate-button]");
    box.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = status.dataset.asking;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.entered_crs.value = "wgs84";
        form.elements.map_link.value = "";
        status.textContent = status.dataset.found.replace("{metres}", String(Math.round(position.coords.accuracy)));
        button.disabled = false;
      }, function () {
        status.textContent = status.dataset.failed;
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
    });
  }
  // The fast lane and parking fields are for partner buildings: shown only while that kind is chosen (without
  // JavaScript they always show, with their hint; the server keeps them for buildings only).
  function buildingDetails(root) {
    var box = (root || document).querySelector("[data-building-details]");
    if (!box || box.dataset.ready) { return; }
    box.dataset.ready = "1";
    var kind = box.closest("form").elements.kind;
    var show = function () { box.hidden = kind.value !== "building"; };
    kind.addEventListener("change", show);
    show();
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); buildingDetails(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); buildingDetails(event.target); });
})();
