// The application form: show the VAT number and the documents that fit the chosen VAT status.
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  if (!form) return;
  var VAT = ["vat_certificate", "commercial_invoice"];
  function update() {
    var checked = form.querySelector('input[name="vat_registered"]:checked');
    var vat = !checked || checked.value === "true";
    form.querySelectorAll('[data-when-vat="true"]').forEach(function (el) { el.hidden = !vat; });
    var select = form.querySelector('select[name="document_type"]');
    if (!select) return;
    Array.prototype.forEach.call(select.options, function (option) {
      var fits = VAT.indexOf(option.value) >= 0 ? vat : !vat;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    if (select.selectedOptions.length && select.selectedOptions[0].disabled) {
      var first = Array.prototype.find.call(select.options, function (o) { return !o.disabled; });
      if (first) select.value = first.value;
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "vat_registered") update();
  });
  update();
})();
