// Check-in forms marked data-locate send where the phone is (hidden latitude/longitude), when the rider
// lets the browser tell. Nothing is refused without it: the coordinator only sees a far check-in flagged.
(function () {
  "use strict";
  function fill(root) {
    var forms = (root || document).querySelectorAll("form[data-locate]");
    if (!forms.length || !navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      forms.forEach(function (form) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
      });
    }, function () {}, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }
  document.addEventListener("DOMContentLoaded", function () { fill(document); });
  document.addEventListener("htmx:load", function (event) { fill(event.target); });
})();
