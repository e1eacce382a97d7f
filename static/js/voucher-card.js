/* The offline voucher card (templates/rewards/voucher_card.html): at its expiry time (the phone's clock) the QR
   code, the digits and the "still valid" notice go and the card says it expired, so a kept card is never shown
   as usable after it lapsed. The service worker does not serve a card past its expiry either; this covers a
   card left open on the screen. */
(function () {
  "use strict";
  var card = document.querySelector(".offline-card[data-state='issued']");
  if (!card) return;
  var expires = Date.parse(card.getAttribute("data-expires"));

  function expire() {
    Array.prototype.forEach.call(card.querySelectorAll(".card-usable"), function (el) { el.remove(); });
    var note = card.querySelector(".card-expired");
    if (note) note.hidden = false;
    card.classList.remove("live");
    card.classList.add("final");
    card.setAttribute("data-state", "expired");
  }

  function check() {
    var left = expires - Date.now();
    if (!(left > 0)) { expire(); return; }
    // setTimeout holds at most about 24.8 days; a longer wait just checks again then.
    window.setTimeout(check, Math.min(left, 2147483647));
  }

  check();
})();
