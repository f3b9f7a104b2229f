// The public lists' filter form, improved where scripts run (everything works without):
// a picker of names gets a box that narrows its options as you type, and asks the API for
// names beyond those listed; the form sends only the fields that are set, so the address
// stays clean and shareable (the server redirects to the same clean address without it).
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "names";
  }

  function fetchMore(select, text) {
    var url = select.dataset.searchUrl + "?format=json&page_size=20&q=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.results) { return; }
        var known = {};
        Array.prototype.forEach.call(select.options, function (option) { known[option.value] = true; });
        data.results.forEach(function (record) {
          var value = record[select.dataset.valueKey];
          var label = record[select.dataset.labelKey];
          if (value && label && !known[value]) {
            select.add(new Option(label, value));
            known[value] = true;
          }
        });
      })
      .catch(function () { /* the listed names stay usable */ });
  }

  function enhance(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = "Type to find a name";
    box.setAttribute("aria-label", "Find in " + labelOf(select));
    if (select.id) { box.setAttribute("aria-controls", select.id); }
    select.parentNode.insertBefore(box, select);
    var timer = null;
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !(needle === "" || option.value === "" || option.selected ||
          fold(option.text).indexOf(needle) !== -1);
      });
      window.clearTimeout(timer);
      if (needle.length >= 2 && select.dataset.searchUrl && select.dataset.complete !== "true") {
        timer = window.setTimeout(function () { fetchMore(select, box.value.trim()); }, 250);
      }
    });
  }

  function cleanAddress(form) {
    form.addEventListener("submit", function (event) {
      var values = {};
      var order = [];
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || element.disabled) { return; }
        var chosen = [];
        if (element.tagName === "SELECT") {
          Array.prototype.forEach.call(element.selectedOptions, function (option) { chosen.push(option.value); });
        } else if (element.type === "checkbox" || element.type === "radio") {
          if (element.checked) { chosen.push(element.value); }
        } else if (element.type !== "submit" && element.type !== "button") {
          chosen.push(element.value);
        }
        chosen = chosen.filter(function (value) { return value.trim() !== ""; });
        if (!chosen.length) { return; }
        if (!values[element.name]) { values[element.name] = []; order.push(element.name); }
        // A picker of several (country codes) is one comma-separated parameter.
        if (element.multiple && element.classList.contains("picker")) {
          values[element.name].push(chosen.join(","));
        } else {
          values[element.name] = values[element.name].concat(chosen);
        }
      });
      var parts = [];
      order.forEach(function (name) {
        values[name].forEach(function (value) {
          parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(value).replace(/%2C/g, ","));
        });
      });
      event.preventDefault();
      window.location.assign(form.getAttribute("action") + (parts.length ? "?" + parts.join("&") : ""));
    });
  }

  document.querySelectorAll("select.picker").forEach(enhance);
  document.querySelectorAll("form.filter-form").forEach(cleanAddress);
})();
