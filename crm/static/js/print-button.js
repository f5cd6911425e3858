// Buttons marked data-print open the browser's print dialog (no inline handler: the CSP forbids them).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
