// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }

    // The printable confirmation: a print button (without JavaScript the page says to use the browser's).
    var printButton = document.querySelector("button[data-print]");
    if (printButton && typeof window.print === "function") {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }

    // Cancel: ask in a dialog on this page instead of going to the confirmation page.
    var link = document.querySelector("a[data-confirm-dialog]");
    var dialog = document.getElementById(link ? link.getAttribute("data-confirm-dialog") : "");
    if (link && dialog && typeof dialog.showModal === "function") {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.showModal();
      });
      var close = dialog.querySelector("[data-close]");
      if (close) { close.addEventListener("click", function () { dialog.close(); }); }
    }
  });
})();
