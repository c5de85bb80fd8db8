// The product form's catalog search (htmx) replaces the options of the model list. An answer
// that arrives after the member picked a model must not undo the choice: the chosen model stays
// selected when it is still in the new list (the server does the same for the choice it was
// sent; this covers a choice made while the answer was on its way).
(function () {
  "use strict";
  var chosen = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id === "id_product") chosen = event.detail.target.value;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var select = event.detail.target;
    if (select.id !== "id_product" || !chosen) return;
    if (Array.prototype.some.call(select.options, function (option) { return option.value === chosen; })) {
      select.value = chosen;
    }
    chosen = null;
  });
})();
