// Letters: ask before issuing (a number, once taken, is final) and the print view's button.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.form.addEventListener("submit", (event) => {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
  const print = document.getElementById("print-letter");
  if (print) {
    print.addEventListener("click", () => window.print());
  }
});
