// Insert a reply template into the case page's reply field at the cursor.
// Delegated on document so it keeps working after htmx swaps the case area.
(function () {
  if (window.btKnowledgeInsert) { return; }
  window.btKnowledgeInsert = true;

  function reveal(root) {
    root.querySelectorAll("[data-bt-insert][hidden]").forEach(function (button) {
      if (document.querySelector(button.getAttribute("data-bt-target"))) {
        button.hidden = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bt-insert]");
    if (!button) { return; }
    var field = document.querySelector(button.getAttribute("data-bt-target"));
    var source = document.getElementById(button.getAttribute("data-bt-source"));
    if (!field || !source) { return; }
    event.preventDefault();
    var text = source.content ? source.content.textContent : source.textContent;
    var start = field.selectionStart != null ? field.selectionStart : field.value.length;
    var end = field.selectionEnd != null ? field.selectionEnd : field.value.length;
    var before = field.value.slice(0, start);
    var glue = before && !before.endsWith("\n") ? "\n\n" : "";
    field.value = before + glue + text + field.value.slice(end);
    var caret = (before + glue + text).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    var status = document.getElementById("bt-knowledge-status");
    if (status) { status.textContent = button.getAttribute("data-bt-done") || ""; }
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
  reveal(document);
})();
