// The review page without a page load per decision: a decision's form is posted in the
// background and the page's review and messages are replaced by the answer's. Without
// JavaScript the same forms post and the server redirects back to the review.
"use strict";

(function () {
  function replaceFrom(html) {
    const answer = new DOMParser().parseFromString(html, "text/html");
    const fresh = answer.getElementById("import-review");
    const current = document.getElementById("import-review");
    if (!fresh || !current) {
      return false;
    }
    current.replaceWith(fresh);
    const messages = answer.querySelector("ul.messagelist");
    const shown = document.querySelector("ul.messagelist");
    if (shown) {
      shown.remove();
    }
    if (messages) {
      const main = document.getElementById("content") || document.body;
      main.parentNode.insertBefore(messages, main);
    }
    return true;
  }

  function plainSubmit(form, submitter) {
    form.dataset.plain = "yes";
    form.requestSubmit(submitter || undefined);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest("#import-review")) {
      return;
    }
    if (form.dataset.plain) {
      return;
    }
    event.preventDefault();
    const review = document.getElementById("import-review");
    const body = new FormData(form, event.submitter || undefined);
    review.classList.add("busy");
    fetch(window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        if (!replaceFrom(html)) {
          // Not the review page (a login page, an error): let the browser show it.
          plainSubmit(form, event.submitter);
        }
      })
      .catch(function () {
        review.classList.remove("busy");
        plainSubmit(form, event.submitter);
      });
  });
})();
