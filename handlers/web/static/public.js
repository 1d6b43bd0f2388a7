/* Progressive enhancement of the public pages (no inline scripts: the CSP forbids them).
   Print buttons stay hidden without JavaScript; the page tells how to print instead. */
(function () {
  "use strict";
  function ready() {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  /* After htmx puts an answer in place, move focus to it for keyboard and screen-reader users. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "answer") {
      var title = document.getElementById("answer-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    }
  });
})();
