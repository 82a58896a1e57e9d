// The signposting list, enhanced: progressive only; the list pages and links work without this file.
(function () {
  "use strict";

  // Signposting list: kept in localStorage; never sent anywhere except as the /list address.
  var KEY = "signposting-list";
  var MAX = 20;
  var ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var listPath = "/list";
  var listLink = document.getElementById("list-link");
  if (listLink) { listPath = listLink.pathname; }

  function clean(ids) {
    var out = [];
    (ids || []).forEach(function (id) {
      id = String(id).toLowerCase();
      if (ID.test(id) && out.indexOf(id) === -1 && out.length < MAX) { out.push(id); }
    });
    return out;
  }
  function read() {
    try { return clean(JSON.parse(window.localStorage.getItem(KEY) || "[]")); } catch (e) { return null; }
  }
  function write(ids) {
    try { window.localStorage.setItem(KEY, JSON.stringify(clean(ids))); return true; } catch (e) { return false; }
  }
  function listUrl(ids, base) {
    var query = ids.map(function (id) { return "s=" + encodeURIComponent(id); }).join("&");
    return (base || listPath) + (query ? "?" + query : "");
  }
  function announce(text) {
    var region = document.getElementById("list-announcer");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function plural(n) { return n + (n === 1 ? " service" : " services"); }

  var stored = read();
  if (stored === null) { return; }  // storage blocked: the plain links keep working

  // The list page shows the list in its address: that is the list from now on.
  if (document.body.classList.contains("page-list")) {
    var shown = [];
    document.querySelectorAll("#list-items [data-service-id]").forEach(function (item) {
      if (item.classList.contains("list-item")) { shown.push(item.getAttribute("data-service-id")); }
    });
    stored = clean(shown);
    write(stored);
  }

  function refreshNav() {
    var count = document.getElementById("list-count");
    if (count) { count.textContent = "(" + stored.length + ")"; }
    if (listLink) { listLink.setAttribute("href", listUrl(stored)); }
  }

  function setButton(button, on) {
    var name = button.getAttribute("data-service-name");
    var label = on ? "Remove from list" : "Add to list";
    button.textContent = label;
    button.setAttribute("aria-label", label + ": " + name);
    button.classList.toggle("on-list", on);
  }

  // "Add to list" links become buttons that toggle the service in the stored list.
  document.querySelectorAll("a.add-to-list[data-service-id]").forEach(function (link) {
    var id = link.getAttribute("data-service-id");
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.setAttribute("data-service-id", id);
    button.setAttribute("data-service-name", link.getAttribute("data-service-name") || "");
    setButton(button, stored.indexOf(id) !== -1);
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-service-name");
      var at = stored.indexOf(id);
      if (at === -1) {
        if (stored.length >= MAX) { announce("Your list is full: it holds " + MAX + " services."); return; }
        stored.push(id);
        announce(name + " added to your list. " + plural(stored.length) + " on your list.");
      } else {
        stored.splice(at, 1);
        announce(name + " removed from your list. " + plural(stored.length) + " on your list.");
      }
      write(stored);
      setButton(button, stored.indexOf(id) !== -1);
      refreshNav();
    });
    link.parentNode.replaceChild(button, link);
  });

  var clear = document.getElementById("clear-list");
  if (clear) { clear.addEventListener("click", function () { write([]); }); }

  // "Copy as text" and "Copy link": the text boxes stay for browsers without a clipboard.
  function addCopyButton(fieldId, label, done) {
    var field = document.getElementById(fieldId);
    if (!field) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = label;
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      function ok() { status.textContent = done; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(ok, function () { field.select(); });
      } else {
        field.select();
        try { if (document.execCommand("copy")) { ok(); } } catch (e) { /* text stays selected */ }
      }
    });
    var wrap = document.createElement("p");
    wrap.appendChild(button);
    wrap.appendChild(status);
    field.parentNode.insertBefore(wrap, field.nextSibling);
  }
  addCopyButton("list-text", "Copy as text", "Copied: paste it into an email or text message.");
  addCopyButton("share-link", "Copy share link", "Link copied.");

  // Print view: offer a Print button.
  var hint = document.getElementById("print-hint");
  if (hint && window.print) {
    var print = document.createElement("button");
    print.type = "button";
    print.className = "button";
    print.id = "print-button";
    print.textContent = "Print this sheet";
    print.addEventListener("click", function () { window.print(); });
    hint.parentNode.insertBefore(print, hint);
  }

  // Coming back with the Back button may show this page from memory: bring it up to date.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    stored = read() || stored;
    document.querySelectorAll("button.add-to-list[data-service-id]").forEach(function (button) {
      setButton(button, stored.indexOf(button.getAttribute("data-service-id")) !== -1);
    });
    refreshNav();
  });

  refreshNav();
})();
