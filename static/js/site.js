// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Quick exit: the button, or Escape pressed three times within 1.5 seconds.
  var exit = document.getElementById("quick-exit");
  function leave(event) {
    if (event) { event.preventDefault(); }
    var target = (exit && exit.getAttribute("data-exit-url")) || "https://www.bbc.co.uk/weather";
    try { document.body.innerHTML = ""; document.title = "Weather"; } catch (e) { /* keep going */ }
    // replace() so this page is not left as the previous history entry.
    window.location.replace(target);
  }
  if (exit) { exit.addEventListener("click", leave); }
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1500; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });
})();
