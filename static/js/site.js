// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Exit this page (GOV.UK's pattern): the button, Shift pressed three times, or Escape three times.
  var exit = document.getElementById("quick-exit");
  var WINDOW = 5000;  // presses count towards an exit for this long, as GOV.UK's component does
  function leave(event) {
    if (event) { event.preventDefault(); }
    var target = (exit && exit.getAttribute("data-exit-url")) || "https://www.bbc.co.uk/weather";
    // Blank the page at once, so nothing is left on screen while the other site loads.
    try {
      document.title = "Loading";
      document.body.innerHTML = "";
      document.body.className = "exiting";
    } catch (e) { /* keep going */ }
    // replace() so this page is not left as the previous history entry.
    window.location.replace(target);
  }
  if (exit) { exit.addEventListener("click", leave); }

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  if (exit) { exit.parentNode.appendChild(status); }

  // Counted on keyup as GOV.UK does: any other key in between starts the count again, and a Shift
  // let go straight after a capital letter is typing, not a press, so typing never leaves the page.
  var presses = [];
  var pressed = "";
  var lastWasShifted = false;
  document.addEventListener("keyup", function (event) {
    var key = event.key === "Esc" ? "Escape" : event.key;
    var counts = (key === "Shift" && !lastWasShifted) || key === "Escape";
    lastWasShifted = event.shiftKey && key !== "Shift";
    var now = Date.now();
    if (!counts || key !== pressed) { presses = []; }
    if (!counts) { pressed = ""; return; }
    pressed = key;
    presses = presses.filter(function (t) { return now - t < WINDOW; });
    presses.push(now);
    if (presses.length >= 3) {
      leave();
    } else if (exit) {
      var left = 3 - presses.length;
      status.textContent = key + ": press " + left + " more " + (left === 1 ? "time" : "times") + " to exit this page.";
    }
  });

  // Beside the results the filters always show: CSS does it where ::details-content is known,
  // this does it elsewhere.
  var panel = document.getElementById("filter-panel");
  var wide = window.matchMedia && window.matchMedia("(min-width: 48rem)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (panel && wide && !styled) {
    var fit = function () { if (wide.matches) { panel.open = true; } };
    fit();
    if (wide.addEventListener) { wide.addEventListener("change", fit); }
  }
})();
