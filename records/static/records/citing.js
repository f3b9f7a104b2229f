// Citing without copying. On a source's page, selecting a passage of its text offers to cite
// it (the offsets come from the selection); on a citation form, the buttons of an error put
// the source's exact text or the chosen occurrence into the form. Without JavaScript, the
// source page's uncited sentences are links to the same citing page, and the error's button
// submits the exact text itself.
"use strict";

(function () {
  // Python counts offsets in code points, JavaScript strings in UTF-16 units.
  function codePoints(text) {
    return Array.from(text).length;
  }

  // The offset in the stored text of a point in the marked-up copy: the citation numbers
  // (sup.cite-ref) are not part of the text.
  function offsetOf(container, node, offset) {
    let total = 0;
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let current = walker.nextNode();
    while (current) {
      const inNumber = current.parentElement.closest("sup.cite-ref");
      if (current === node) {
        return inNumber ? total : total + codePoints(current.data.slice(0, offset));
      }
      if (!inNumber) {
        total += codePoints(current.data);
      }
      current = walker.nextNode();
    }
    return null;
  }

  function selectedSpan(container) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
      return null;
    }
    const pointOf = function (node, offset) {
      if (node.nodeType === Node.TEXT_NODE) {
        return offsetOf(container, node, offset);
      }
      // A selection boundary between elements: the text before the child at `offset`.
      const probe = document.createRange();
      probe.selectNodeContents(container);
      probe.setEnd(node, offset);
      const copy = probe.cloneContents();
      copy.querySelectorAll("sup.cite-ref").forEach(function (sup) { sup.remove(); });
      return codePoints(copy.textContent);
    };
    let start = pointOf(range.startContainer, range.startOffset);
    let end = pointOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) {
      return null;
    }
    // Leave out the spaces and line breaks a selection picks up at its edges.
    const text = Array.from(container.dataset.text || "");
    while (start < end && /\s/.test(text[start] || "")) { start += 1; }
    while (end > start && /\s/.test(text[end - 1] || "")) { end -= 1; }
    return end > start ? { start: start, end: end } : null;
  }

  function setUpSelection() {
    const container = document.querySelector(".source-text[data-cite-url]");
    const offer = document.getElementById("cite-selection");
    if (!container || !offer) {
      return;
    }
    const link = offer.querySelector("a");
    const describe = offer.querySelector(".cite-selection-length");
    const update = function () {
      const span = selectedSpan(container);
      if (!span) {
        offer.hidden = true;
        return;
      }
      const url = new URL(container.dataset.citeUrl, window.location.href);
      url.searchParams.set("cite_start", String(span.start));
      url.searchParams.set("cite_end", String(span.end));
      link.href = url.pathname + url.search;
      describe.textContent = String(span.end - span.start);
      offer.hidden = false;
    };
    document.addEventListener("selectionchange", update);
  }

  function setUpFixes() {
    document.addEventListener("click", function (event) {
      const button = event.target.closest("button.quote-fix, button.quote-occurrence");
      if (!button) {
        return;
      }
      event.preventDefault();
      const form = button.form || document;
      const field = function (name) {
        return name ? form.querySelector('[name="' + CSS.escape(name) + '"]') : null;
      };
      if (button.classList.contains("quote-fix")) {
        const quote = field(button.dataset.target);
        const occurrence = field(button.dataset.occurrenceTarget);
        if (quote) { quote.value = button.dataset.quote; }
        if (occurrence) { occurrence.value = button.dataset.occurrence; }
        button.textContent = "Replaced with the source's exact text: save to keep it.";
      } else {
        const occurrence = field(button.dataset.target);
        if (occurrence) { occurrence.value = button.dataset.value; }
        button.closest("ol").querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
      }
      button.disabled = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpSelection();
    setUpFixes();
  });
})();
