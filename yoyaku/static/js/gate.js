// The waiting page (yoyaku/gate.py): asks again in the background and updates the figures in place (announced
// politely to screen readers) instead of reloading the page; opens the site when the turn has come. Without
// JavaScript the page reloads itself (<noscript> meta refresh) and works the same.
(function () {
  "use strict";
  var main = document.querySelector("main.gate");
  if (!main || typeof window.fetch !== "function" || typeof window.DOMParser !== "function") { return; }
  var delay = parseInt(main.getAttribute("data-retry"), 10) || 10;

  function poll() {
    window.fetch(window.location.href, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.headers.get("X-Yoyaku-Waiting-Room") !== "1") {
        window.location.reload();  // our turn: the pass came with this answer
        return;
      }
      var next = parseInt(response.headers.get("Retry-After"), 10) || delay;
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-gate-live]");
        var live = main.querySelector("[data-gate-live]");
        if (fresh && live && fresh.textContent !== live.textContent) {
          live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes));
        }
        window.setTimeout(poll, next * 1000);
      });
    }).catch(function () { window.setTimeout(poll, delay * 1000); });
  }
  window.setTimeout(poll, delay * 1000);
})();
