// Small helps for keyboard and screen-reader users on every page (served from static: the CSP
// allows no inline script).
// - After a failed submit the error summary (partials/form_errors.html) takes the focus, so that
//   screen readers announce it and keyboard users start from its links to the fields.
// - A table wider than the screen scrolls in its box (.table-wrap): the box then takes the focus,
//   so that it can be scrolled with the arrow keys.
// - On a phone the top bar's sections scroll sideways in their row: the current one is scrolled
//   into sight, so that the page says where the reader is.
function tableWrapsFocusable() {
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    if (wrap.scrollWidth > wrap.clientWidth) wrap.setAttribute("tabindex", "0");
    else wrap.removeAttribute("tabindex");
  }
}

function currentTabShown() {
  const current = document.querySelector(".topbar .tabs [aria-current='page']");
  const tabs = current && current.closest(".tabs");
  if (!tabs || tabs.scrollWidth <= tabs.clientWidth) return;
  const row = tabs.getBoundingClientRect();
  const tab = current.getBoundingClientRect();
  if (tab.right > row.right) tabs.scrollLeft += tab.right - row.right;
  else if (tab.left < row.left) tabs.scrollLeft -= row.left - tab.left;
}

document.addEventListener("DOMContentLoaded", () => {
  tableWrapsFocusable();
  currentTabShown();
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
window.addEventListener("resize", tableWrapsFocusable);
document.addEventListener("htmx:afterSettle", tableWrapsFocusable);
