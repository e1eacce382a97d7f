/* Offline help on every page (loaded by base.html; no framework, no build).
   - Registers the service worker (/sw.js, from this tag's data-worker) where the browser has them; where it
     has none (some in-app browsers) nothing else changes: pages simply need the network.
   - A voucher page names its offline card (data-offline-card): the worker is asked to keep (or drop) it.
   - Any other page load of a signed-in user asks the worker to check its kept cards (it does so at most once
     a minute): a voucher cancelled, redeemed or refunded since loses its card without its page being opened.
   - A page shown to someone signed out (data-signed-out: the last session ended, here or elsewhere, or
     expired) asks the worker to drop every card: the next person on this phone never sees them.
   - A voucher whose status poll fails says so ("No connection — last checked 12:03; the code still works")
     instead of leaving the rider guessing; the next answer from the server clears the note. The time is the
     last answer's, in the programme's zone (data-zone) and the page's language. */
(function () {
  "use strict";
  var tag = document.currentScript;
  var worker = tag && tag.getAttribute("data-worker");
  var sw = "serviceWorker" in navigator ? navigator.serviceWorker : null;

  if (sw && worker && window.isSecureContext) {
    sw.register(worker, { scope: tag.getAttribute("data-scope") || "/" }).catch(function () { /* no worker */ });
  }

  function keepCards() {
    if (!sw || !worker) return;
    var cards = document.querySelectorAll("[data-offline-card]");
    Array.prototype.forEach.call(cards, function (el) {
      if (el.offlineCardSent) return;
      el.offlineCardSent = true;
      sw.ready.then(function (registration) {
        if (registration.active) {
          registration.active.postMessage({ type: "keep-card", url: el.getAttribute("data-offline-card") });
        }
      });
    });
  }

  function tellWorker(message) {
    sw.getRegistration().then(function (registration) {
      var active = registration && registration.active;
      if (active) active.postMessage(message);
    }).catch(function () { /* no worker: no cards */ });
  }

  function dropCardsIfSignedOut() {
    if (sw && document.querySelector("[data-signed-out]")) tellWorker({ type: "drop-cards" });
  }

  function checkCardsIfSignedIn() {
    if (sw && navigator.onLine !== false && !document.querySelector("[data-signed-out]")) {
      tellWorker({ type: "check-cards" });
    }
  }

  function clock(note, moment) {
    var lang = document.documentElement.lang || "zh-Hans";
    try {
      return new Intl.DateTimeFormat(lang, { timeZone: note.getAttribute("data-zone") || undefined,
        hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(moment);
    } catch (e) {
      return moment.toTimeString().slice(0, 5);
    }
  }

  function pollNote(elt) {
    return elt && elt.querySelector ? elt.querySelector(".poll-note") : null;
  }

  function failed(event) {
    var note = pollNote(event.detail && event.detail.elt);
    if (!note) return;
    var checked = new Date(Date.parse(note.getAttribute("data-checked")) || Date.now());
    note.textContent = note.getAttribute("data-text").replace("{time}", clock(note, checked));
  }

  function answered(event) {
    var detail = event.detail || {};
    var note = pollNote(detail.elt);
    if (!note || !detail.successful) return;
    note.setAttribute("data-checked", new Date().toISOString());
    note.textContent = "";
  }

  keepCards();
  dropCardsIfSignedOut();
  checkCardsIfSignedIn();
  document.addEventListener("htmx:afterSettle", keepCards);
  document.addEventListener("htmx:afterSettle", dropCardsIfSignedOut);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:afterRequest", answered);
})();
