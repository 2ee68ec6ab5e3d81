// The waiting page (yoyaku/gate.py): asks again in the background and updates the figures in place (announced
// politely to screen readers) instead of reloading the page; opens the site when the turn has come. Without
// JavaScript the page reloads itself (<noscript> meta refresh) and works the same.
(function () {
  "use strict";
  var main = document.querySelector("main.gate");
  if (!main || typeof window.fetch !== "function" || typeof window.DOMParser !== "function") { return; }
  // Milliseconds: near the front the server says when the turn is due (X-Yoyaku-Retry-Ms), finer than the
  // whole seconds of Retry-After and the meta refresh.
  var delay = parseInt(main.getAttribute("data-retry-ms"), 10)
    || 1000 * (parseInt(main.getAttribute("data-retry"), 10) || 10);

  function poll() {
    window.fetch(window.location.href, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.headers.get("X-Yoyaku-Waiting-Room") !== "1") {
        window.location.reload();  // our turn: the pass came with this answer
        return;
      }
      var next = parseInt(response.headers.get("X-Yoyaku-Retry-Ms"), 10)
        || 1000 * parseInt(response.headers.get("Retry-After"), 10) || delay;
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-gate-live]");
        var live = main.querySelector("[data-gate-live]");
        if (fresh && live && fresh.textContent !== live.textContent) {
          live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes));
        }
        window.setTimeout(poll, next);
      });
    }).catch(function () { window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
})();
