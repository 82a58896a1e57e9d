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
  function makeButton(label, className, act) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    if (act) { button.addEventListener("click", act); }
    return button;
  }
  function plural(n) { return n + (n === 1 ? " service" : " services"); }

  function sameSet(a, b) {
    return a.length === b.length && a.every(function (id) { return b.indexOf(id) !== -1; });
  }

  var stored = read();
  if (stored === null) { return; }  // storage blocked: the plain links keep working

  function refreshNav() {
    var count = document.getElementById("list-count");
    if (count) { count.textContent = "(" + stored.length + ")"; }
    if (listLink) { listLink.setAttribute("href", listUrl(stored)); }
  }

  // A message for the next page (what "Add these to your list" did), kept only for this tab.
  var NOTICE = "signposting-list-notice";
  function leaveNotice(text) {
    try { window.sessionStorage.setItem(NOTICE, text); } catch (e) { /* the list itself is saved */ }
  }
  function takeNotice() {
    try {
      var text = window.sessionStorage.getItem(NOTICE);
      window.sessionStorage.removeItem(NOTICE);
      return text;
    } catch (e) { return null; }
  }

  // The list page: your own list becomes the stored list; someone else's asks first.
  var own = false;  // does this page show the stored list? Only then do Remove and Clear change it
  if (document.body.classList.contains("page-list")) { setUpListPage(); }

  function setUpListPage() {
    var items = document.querySelectorAll("#list-items .list-item[data-service-id]");
    var shown = clean(Array.prototype.map.call(items, function (item) { return item.getAttribute("data-service-id"); }));
    var names = {};
    items.forEach(function (item) {
      var heading = item.querySelector("h2");
      names[item.getAttribute("data-service-id")] = heading ? heading.textContent.trim() : "";
    });
    var asked = clean(new URLSearchParams(window.location.search).getAll("s"));

    function adopt() { stored = shown.slice(); write(stored); own = true; refreshNav(); }

    var notice = takeNotice();
    if (notice) { showNotice(notice); }

    if (!stored.length || sameSet(asked, stored) || sameSet(shown, stored)) {
      // Nothing stored yet, or this is your list (the nav link carries it): withdrawn services drop out.
      adopt();
    } else if (!asked.length && !document.getElementById("list-link-problem")) {
      // A bare /list while you have a list: show yours rather than an empty page.
      window.location.replace(listUrl(stored));
      return;
    } else if (shown.length) {
      askReplaceOrAdd();
    }

    // Removing from your own list saves the shorter list first, so the next page is yours and does not ask.
    document.querySelectorAll("a.remove-from-list[data-service-id]").forEach(function (link) {
      link.addEventListener("click", function () {
        if (!own) { return; }
        var id = link.getAttribute("data-service-id");
        stored = stored.filter(function (other) { return other !== id; });
        write(stored);
      });
    });

    function showNotice(text) {
      var p = document.createElement("p");
      p.className = "list-notice";
      p.id = "list-notice";
      p.textContent = text;
      var summary = document.getElementById("list-summary");
      if (summary) { summary.parentNode.insertBefore(p, summary); }
      announce(text);
    }

    function askReplaceOrAdd() {
      var box = document.createElement("section");
      box.className = "list-choice";
      box.id = "list-choice";
      box.setAttribute("tabindex", "-1");
      box.setAttribute("aria-labelledby", "list-choice-title");
      var title = document.createElement("h2");
      title.id = "list-choice-title";
      title.textContent = "This is a shared list";
      var question = document.createElement("p");
      question.id = "list-choice-question";
      question.textContent = "You already have a list of " + plural(stored.length) + ". This link has " +
        plural(shown.length) + ". Your list stays as it is until you choose.";
      var buttons = document.createElement("div");
      buttons.className = "list-choice-buttons";
      box.appendChild(title);
      box.appendChild(question);
      box.appendChild(buttons);

      function choice(label, secondary, act) {
        var button = makeButton(label, secondary ? "button button-secondary" : "button", act);
        buttons.appendChild(button);
      }
      function answer(text, link) {
        box.textContent = "";
        var p = document.createElement("p");
        p.id = "list-choice-result";
        p.setAttribute("tabindex", "-1");
        p.textContent = text;
        if (link) {
          var a = document.createElement("a");
          a.href = listUrl(stored);
          a.textContent = "Open your list";
          p.appendChild(document.createTextNode(" "));
          p.appendChild(a);
        }
        box.appendChild(p);
        p.focus();
        announce(text);
      }

      choice("Replace your list with this one", false, function () {
        adopt();
        answer("Your list is now this list of " + plural(stored.length) + ".");
      });
      choice("Add these to your list", true, function () {
        var merged = stored.slice();
        var added = 0;
        var left = [];
        shown.forEach(function (id) {
          if (merged.indexOf(id) !== -1) { return; }
          if (merged.length < MAX) { merged.push(id); added += 1; } else { left.push(names[id] || id); }
        });
        var text = added ? "Added " + plural(added) + " to your list." : "These services were already on your list.";
        if (left.length) {
          text += " " + (left.length === 1 ? "1 did not fit" : left.length + " did not fit") +
            ", as a list holds at most " + MAX + " services: " + left.join(", ") + ".";
        }
        text += " Your list now has " + plural(merged.length) + ".";
        stored = merged;
        write(stored);
        leaveNotice(text);
        window.location.replace(listUrl(stored));
      });
      choice("Keep your list", true, function () {
        answer("You kept your list of " + plural(stored.length) +
          ". This page still shows the shared list; nothing on it was saved.", true);
      });

      var lead = document.querySelector("main .lead") || document.querySelector("h1");
      lead.parentNode.insertBefore(box, lead.nextSibling);
      box.focus();
    }
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
  if (clear) { clear.addEventListener("click", function () { if (own) { write([]); } }); }

  // "Copy as text" and "Copy link": the text boxes stay for browsers without a clipboard.
  function addCopyButton(fieldId, label, done) {
    var field = document.getElementById(fieldId);
    if (!field) { return; }
    var button = makeButton(label, "button button-secondary");
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

  // "Share…" through the phone's own share sheet, where there is one; the title names no service.
  var shareField = document.getElementById("share-link");
  if (shareField && navigator.share) {
    var share = makeButton("Share…", "button button-secondary", function () {
      navigator.share({ title: "Services to contact", url: shareField.value }).catch(function () {
        /* cancelled or refused: the link box and its copy button are still there */
      });
    });
    share.id = "web-share";
    var shareWrap = document.createElement("p");
    shareWrap.appendChild(share);
    var after = shareField.nextSibling;
    shareField.parentNode.insertBefore(shareWrap, after ? after.nextSibling : null);
  }

  // Print view: offer a Print button.
  var hint = document.getElementById("print-hint");
  if (hint && window.print) {
    var print = makeButton("Print this sheet", "button", function () { window.print(); });
    print.id = "print-button";
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
