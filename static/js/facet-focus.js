// After a facet is chosen the list reloads at the facet (#facet-<name> in the address); put
// the keyboard focus back on the value the reader chose, or on the facet's heading, so that
// they carry on where they were instead of at the top of the page.
"use strict";
(function () {
  var KEY = "pacta:facet-focus";
  document.querySelectorAll(".facet a").forEach(function (link) {
    link.addEventListener("click", function () {
      var label = link.querySelector(".facet-label");
      try {
        sessionStorage.setItem(KEY, JSON.stringify({
          facet: link.closest(".facet").getAttribute("aria-labelledby"),
          label: label ? label.textContent : link.textContent,
        }));
      } catch (e) { /* storage refused: the address still brings the reader back */ }
    });
  });
  var hash = decodeURIComponent(location.hash.slice(1));
  if (hash.indexOf("facet-") !== 0) return;
  var heading = document.getElementById(hash);
  if (!heading) return;
  var panel = heading.closest("details");
  if (panel) panel.open = true;
  var chosen = null;
  try {
    chosen = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
  } catch (e) { chosen = null; }
  var target = null;
  if (chosen && chosen.facet === hash) {
    heading.closest(".facet").querySelectorAll("a").forEach(function (link) {
      var label = link.querySelector(".facet-label");
      if ((label ? label.textContent : link.textContent) === chosen.label) target = link;
    });
  }
  if (!target) {
    heading.setAttribute("tabindex", "-1");
    target = heading;
  }
  // After the browser's own move to the fragment, which would otherwise take the focus back.
  window.addEventListener("load", function () { target.focus(); });
})();
