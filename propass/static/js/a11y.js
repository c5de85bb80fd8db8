// Small helps for keyboard and screen-reader users on every page (served from static: the CSP
// allows no inline script).
// - After a failed submit the error summary (partials/form_errors.html) takes the focus, so that
//   screen readers announce it and keyboard users start from its links to the fields.
// - A table wider than the screen scrolls in its box (.table-wrap): the box then takes the focus,
//   so that it can be scrolled with the arrow keys.
function tableWrapsFocusable() {
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    if (wrap.scrollWidth > wrap.clientWidth) wrap.setAttribute("tabindex", "0");
    else wrap.removeAttribute("tabindex");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  tableWrapsFocusable();
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
window.addEventListener("resize", tableWrapsFocusable);
document.addEventListener("htmx:afterSettle", tableWrapsFocusable);
