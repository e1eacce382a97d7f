/* "Copy address" on a place's page (loaded only there). The button is hidden in the HTML: without this
   script, or without the clipboard API (an old browser, a page not served over HTTPS), the address stays
   plain selectable text. With it the button appears, copies the address and says so in the status line. */
(function () {
  "use strict";
  if (window.nuanxinCopy) return;
  window.nuanxinCopy = true;

  function show() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  }

  function status(button, text) {
    var area = button.closest("section");
    var line = area && area.querySelector(".copy-status");
    if (line) line.textContent = text;
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("button[data-copy]") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      status(button, button.getAttribute("data-copied"));
    }, function () {
      status(button, button.getAttribute("data-failed"));
    });
  });
  document.addEventListener("htmx:load", show);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
