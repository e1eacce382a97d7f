/* "Print" on a certificate (loaded only there). The button is hidden in the HTML: without this script the
   browser's own Print (or Share → Print) menu prints the same page; with it the button appears and opens it. */
(function () {
  "use strict";
  if (window.nuanxinPrint) return;
  window.nuanxinPrint = true;

  function show() {
    if (typeof window.print !== "function") return;
    document.querySelectorAll("button[data-print]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("button[data-print]") : null;
    if (button) window.print();
  });
  document.addEventListener("htmx:load", show);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
