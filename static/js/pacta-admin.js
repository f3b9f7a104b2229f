// Names for the controls Django's admin scripts build in the browser, which carry none of
// their own: select2's autocomplete boxes (named after their <select>), the filter boxes of
// many-to-many pickers, and the date and time halves of a date-time field. Runs when the
// page has loaded (after those scripts) and whenever an inline row is added.
"use strict";
(function () {
  function nameOf(select) {
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameAutocompletes() {
    document.querySelectorAll("span.select2-container").forEach(function (box) {
      const select = box.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      const name = nameOf(select);
      if (!name) return;
      // select2 names its box by the selection shown, which is empty until one is made.
      box.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (control) {
        control.removeAttribute("aria-labelledby");
        control.setAttribute("aria-label", name);
      });
      box.querySelectorAll(".select2-search__field").forEach(function (field) {
        field.setAttribute("aria-label", name);
      });
      box.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        list.setAttribute("role", "list");
        list.querySelectorAll(":scope > li").forEach(function (item) {
          item.setAttribute("role", "listitem");
        });
      });
    });
  }

  function nameBuiltControls() {
    // The many-to-many picker's search icons are images with a name, not bare spans.
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    document.querySelectorAll("p.datetime").forEach(function (row) {
      const label = row.parentElement && row.parentElement.querySelector("label");
      const name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      row.querySelectorAll("input.vDateField, input.vTimeField").forEach(function (input) {
        if (!input.getAttribute("aria-label") && name) {
          const part = input.classList.contains("vDateField") ? "date" : "time";
          input.setAttribute("aria-label", name + ", " + part);
        }
      });
    });
  }

  function nameAll() {
    nameAutocompletes();
    nameBuiltControls();
  }

  window.addEventListener("load", function () {
    window.setTimeout(nameAll, 0);
  });
  document.addEventListener("formset:added", function () {
    window.setTimeout(nameAll, 0);
  });
  // select2 rebuilds a multiple box's list when its selection changes.
  document.addEventListener("change", function () {
    window.setTimeout(nameAutocompletes, 0);
  });
})();
