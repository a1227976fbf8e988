/* Draws a process model with the bpmn-js viewer (global BpmnJS from
   vendor/bpmn-js). The XML comes from the register; no inline scripts (CSP). */
(function () {
  "use strict";

  function fail(container, message) {
    var note = document.createElement("p");
    note.className = "kern-body";
    note.textContent = (container.getAttribute("data-error") || "") + " " + message;
    container.appendChild(note);
    container.setAttribute("data-state", "error");
  }

  function show(container) {
    if (typeof window.BpmnJS !== "function") {
      fail(container, "bpmn-js fehlt");
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (xml) {
        return viewer.importXML(xml);
      })
      .then(function (result) {
        viewer.get("canvas").zoom("fit-viewport", "auto");
        container.setAttribute("data-state", "ready");
        container.setAttribute("data-warnings", String((result && result.warnings || []).length));
      })
      .catch(function (error) {
        fail(container, error && error.message ? error.message : String(error));
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-xml-url]").forEach(show);
  });
})();
