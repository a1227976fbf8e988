// Progressive enhancement for portal forms; every page also works without JavaScript.
(function () {
  "use strict";

  function currentValue(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "checkbox") { return input.checked ? "true" : "false"; }
      if (input.type === "radio") { if (input.checked) { return input.value; } continue; }
      return input.value;
    }
    return "";
  }

  // Conditional fields (catalog "show_if"): hidden while their condition does not hold.
  function updateConditions(form) {
    var wrappers = form.querySelectorAll("[data-show-if]");
    wrappers.forEach(function (wrapper) {
      var visible = currentValue(form, wrapper.dataset.showIf) === wrapper.dataset.showValue;
      var parent = form.querySelector('[name="' + wrapper.dataset.showIf + '"]');
      var parentWrapper = parent && parent.closest("[data-show-if]");
      if (parentWrapper && parentWrapper.hidden) { visible = false; }
      wrapper.hidden = !visible;
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-if]")) { return; }
    updateConditions(form);
    form.addEventListener("change", function () { updateConditions(form); });
  });

  // "Link kopieren" on the receipt page.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      var status = document.getElementById("copy-status");
      input.select();
      var done = function () { if (status) { status.textContent = button.dataset.copied || "✓"; } };
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value).then(done, function () {}); }
      else { document.execCommand("copy"); done(); }
    });
  });

  // Move focus to the error summary so keyboard and screen reader users hear it first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
