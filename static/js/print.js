/* Print buttons on printable documents (minutes, letters, posters): no inline handlers under
   the CSP. Buttons may start hidden, so that without scripts only the browser's Print shows. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
