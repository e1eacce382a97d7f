/* "Near me" for rest stations and restaurants (loaded only on that page; no framework, no build).
   The browser is asked for its location only after the rider taps "use my location" (a plain link to
   ?locate=1), with the reason on the page. The list is then loaded with lat/lng rounded to about 100 m, or
   with geo=denied when the browser did not share it. The choice is remembered in this browser
   (localStorage): a position for 10 minutes, a refusal for a week, so opening the page again lists the
   places at once, or goes straight to the town picker instead of asking again. Only an explicit tap asks
   again. Without this script the link still works: the page says location needs JavaScript and shows
   the town picker. */
(function () {
  "use strict";
  if (window.nuanxinPlacesNear) return;  // loaded once per page load
  window.nuanxinPlacesNear = true;
  var KEY = "nuanxin.places.origin";
  var POSITION_MS = 10 * 60 * 1000;
  var REFUSAL_MS = 7 * 24 * 60 * 60 * 1000;

  function recall() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "null");
      // Number.isFinite, not isFinite: null, "31.87" or true would pass the global one and break toFixed below
      if (!value || !Number.isFinite(value.at)) return null;
      var age = Date.now() - value.at;
      if (value.refused && age < REFUSAL_MS) return value;
      if (Number.isFinite(value.lat) && Number.isFinite(value.lng) && age < POSITION_MS) return value;
    } catch (e) { /* storage off (private mode) or junk: ask again */ }
    return null;
  }

  function remember(value) {
    value.at = Date.now();
    try { window.localStorage.setItem(KEY, JSON.stringify(value)); } catch (e) { /* fine */ }
  }

  function go(href, params) {
    var url = new URL(href, window.location.href);
    ["lat", "lng", "geo", "area", "locate", "wide"].forEach(function (name) { url.searchParams.delete(name); });
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

  function ask(href) {
    if (!navigator.geolocation) { remember({ refused: true }); go(href, { geo: "denied" }); return; }
    var note = document.getElementById("near-why");
    say(note && note.getAttribute("data-asking"));
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = Math.round(position.coords.latitude * 1000) / 1000;
      var lng = Math.round(position.coords.longitude * 1000) / 1000;
      remember({ lat: lat, lng: lng });
      go(href, { lat: lat.toFixed(3), lng: lng.toFixed(3) });
    }, function () {
      remember({ refused: true });
      go(href, { geo: "denied" });
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  }

  function locate(href) {  // the rider asked: a fresh remembered position will do, a refusal is asked again
    var known = recall();
    if (known && !known.refused) { go(href, { lat: known.lat.toFixed(3), lng: known.lng.toFixed(3) }); return; }
    ask(href);
  }

  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("a[data-near-locate]") : null;
    if (!link || evt.defaultPrevented || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey) return;
    evt.preventDefault();
    locate(link.href);
  });

  function onLoad() {
    var waiting = document.querySelector("[data-near-waiting]");  // ?locate=1: the tap came before this script
    if (waiting) { locate(waiting.getAttribute("data-near-waiting")); return; }
    var start = document.querySelector("[data-near-start]");  // the bare page: use what was chosen before
    var known = start && recall();
    if (!known) return;
    if (known.refused) go(start.getAttribute("data-near-start"), { geo: "denied" });
    else go(start.getAttribute("data-near-start"), { lat: known.lat.toFixed(3), lng: known.lng.toFixed(3) });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onLoad);
  else onLoad();
})();
