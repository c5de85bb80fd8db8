// The review page of the checkout: the price and VAT lines follow the term chosen in the select.
// The server writes each term's lines, in the reader's language, in <template id="term-prices">;
// without script the page shows the term it was sent with (and the select shows each term's price).
document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("id_term_years");
  const terms = document.getElementById("term-prices");
  if (!select || !terms) return;
  select.addEventListener("change", () => {
    const chosen = terms.content.querySelector(`[data-term="${CSS.escape(select.value)}"]`);
    if (!chosen) return;
    for (const line of ["plan-price", "plan-vat"]) {
      const shown = document.getElementById(line);
      const text = chosen.querySelector(`.${line}`);
      if (shown && text) shown.textContent = text.textContent;
    }
  });
});
