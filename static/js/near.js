/* "Near me" on the task list (loaded only there; no framework, no build).
   The rider taps "near me" (a plain link to ?near=1): only then is the browser asked for its location, with
   the reason shown on the page. The list is then loaded again with lat/lng rounded to about 100 m, or with
   geo=denied when the browser did not share it. The position is kept for this browser tab (sessionStorage)
   so tapping "near me" again, or coming back, does not ask twice. Without this script the link still works:
   the page lists the tasks in time order and says why distances are missing. */
(function () {
  "use strict";
  if (window.nuanxinNear) return;  // loaded once per page load
  window.nuanxinNear = true;
  var KEY = "nuanxin.position";

  function remembered() {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      if (value && isFinite(value.lat) && isFinite(value.lng)) return value;
    } catch (e) { /* storage off (private mode) or junk: ask again */ }
    return null;
  }

  function remember(lat, lng) {
    try { window.sessionStorage.setItem(KEY, JSON.stringify({ lat: lat, lng: lng })); } catch (e) { /* fine */ }
  }

  function go(href, params) {
    var url = new URL(href, window.location.href);
    ["lat", "lng", "geo", "page"].forEach(function (name) { url.searchParams.delete(name); });
    Object.keys(params).forEach(function (name) { url.searchParams.set(name, params[name]); });
    window.location.assign(url.toString());
  }

  function say(text) {
    var note = document.getElementById("near-why");
    if (note && text) {
      note.textContent = "";
      var p = document.createElement("p");
      p.className = "hint";
      p.textContent = text;
      note.appendChild(p);
    }
  }

  function locate(href) {
    var known = remembered();
    if (known) { go(href, { lat: known.lat.toFixed(3), lng: known.lng.toFixed(3) }); return; }
    if (!navigator.geolocation) { go(href, { geo: "denied" }); return; }
    var note = document.getElementById("near-why");
    say(note && note.getAttribute("data-asking"));
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = Math.round(position.coords.latitude * 1000) / 1000;
      var lng = Math.round(position.coords.longitude * 1000) / 1000;
      remember(lat, lng);
      go(href, { lat: lat.toFixed(3), lng: lng.toFixed(3) });
    }, function () {
      go(href, { geo: "denied" });
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  }

  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("a[data-near]") : null;
    if (!link || evt.defaultPrevented || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey) return;
    evt.preventDefault();
    locate(link.href);
  });

  // The "near me" page reached without a position (the tap came before this script was loaded): ask now.
  function pending() {
    var waiting = document.querySelector("[data-near-waiting]");
    if (waiting) locate(waiting.getAttribute("data-near-waiting"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", pending);
  else pending();
})();
