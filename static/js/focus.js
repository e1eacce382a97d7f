/* Where focus goes, so a keyboard or screen-reader user is never left behind (no framework, no build).
   - A page showing a refused form: the first invalid field, else its alert (a refused log-in).
   - After an htmx action the person started (a tap, a submit): the first invalid field of what was swapped
     in, else its message (an alert or status), else its heading; a boosted page may name the field that
     takes the next entry (data-refocus: the guard's pass code box), which then comes before the heading.
     Polls and background refreshes (the balance, a voucher's status) never move focus. */
(function () {
  "use strict";
  var INVALID = '[aria-invalid="true"]';
  var MESSAGE = '[role="alert"], [role="status"], .flash, .error';
  var HEADING = "h1, h2, h3";

  function focusOn(el) {
    if (!el) return false;
    if (!el.matches("a[href], button, input, select, textarea, [tabindex]")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: false });
    return document.activeElement === el;
  }

  function firstIn(root, selector) {
    if (!root) return null;
    if (root.matches && root.matches(selector)) return root;
    return root.querySelector(selector);
  }

  function byPerson(detail) {
    var config = detail && detail.requestConfig;
    var event = config && config.triggeringEvent;
    return !!event && (event.type === "submit" || event.type === "click" || event.type === "change");
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusOn(document.querySelector("main " + INVALID)) || focusOn(document.querySelector('main [role="alert"]'));
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    var detail = evt.detail || {};
    if (!byPerson(detail)) return;
    var target = evt.target;  // the settled element (detail.target may be the one an outerHTML swap replaced)
    if (!target.isConnected) return;
    if (target === document.body) {  // a boosted page: its refused field, else its alert, else its heading
      focusOn(document.querySelector("main " + INVALID)) || focusOn(document.querySelector('main [role="alert"]')) ||
        focusOn(document.querySelector("main [data-refocus]")) || focusOn(document.querySelector("main h1"));
      return;
    }
    focusOn(firstIn(target, INVALID)) || focusOn(firstIn(target, MESSAGE)) || focusOn(firstIn(target, HEADING));
  });
})();
