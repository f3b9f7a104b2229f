// Copy buttons for the citation on a record page (templates/records/includes/
// record_footer.html). Without a script the buttons stay hidden and the text is there to
// select; with one, a button copies its text and says so in the status beside it.
"use strict";
(function () {
  function copied(status, ok) {
    status.textContent = ok ? "Copied." : "Select the text and copy it.";
  }
  document.querySelectorAll("button.copy-button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = target.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { copied(status, true); },
          function () { copied(status, false); }
        );
        return;
      }
      // No clipboard API (plain HTTP): select the text so the reader can copy it.
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      copied(status, false);
    });
  });
})();
