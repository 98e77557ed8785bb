// hotwatch web: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Changing the sort order or page size runs the search again (from page 1).
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.requestSubmit(); }
    });
  });
  // On a phone the filters start folded so the results come first.
  if (window.matchMedia("(max-width: 800px)").matches) {
    document.querySelectorAll("details.fold-narrow").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  }
});
