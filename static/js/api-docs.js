// Swagger UI keeps its operations in a <main> but draws the API's title and description
// outside any landmark, where a screen reader's landmark list never reaches them. Once Swagger
// UI has drawn that block, name it as a region of its own.
"use strict";
(function () {
  function label() {
    var info = document.querySelector("#swagger-ui .information-container");
    if (info && !info.hasAttribute("role")) {
      info.setAttribute("role", "region");
      info.setAttribute("aria-label", "About the API");
    }
  }
  new MutationObserver(label).observe(document.getElementById("swagger-ui"), {
    childList: true,
    subtree: true,
  });
})();
