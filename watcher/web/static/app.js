// watcher: a little help on top of pages that work without it.
// Tooltips for timeline marks and claim sentences, a confirmation before replay,
// and the reviewer's name remembered in this browser. Text is set with textContent only.
(function () {
  "use strict";
  var tip = null;

  function tipOf(el) {
    // a claim carries data-tip; a timeline mark carries its text in its SVG <title>
    return el.getAttribute("data-tip") || el.getAttribute("data-title") || "";
  }

  function target(ev) {
    return ev.target.closest ? ev.target.closest("[data-tip], a.mark") : null;
  }

  function showTip(el, x, y) {
    var text = tipOf(el);
    if (!text) { return; }
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "tooltip";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    tip.textContent = text;
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8);
    var top = y + 16 + h > window.innerHeight ? y - h - 10 : y + 16;
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
  }

  function hideTip() { if (tip) { tip.hidden = true; } }

  document.addEventListener("mouseover", function (ev) {
    var el = target(ev);
    if (el) {
      var t = el.querySelector("title");
      // the page's own tooltip replaces the browser's (which would show the same text twice)
      if (t && t.textContent) { el.setAttribute("data-title", t.textContent); t.textContent = ""; }
      showTip(el, ev.clientX, ev.clientY);
    }
  });
  document.addEventListener("mousemove", function (ev) {
    var el = target(ev);
    if (el && tip && !tip.hidden) { showTip(el, ev.clientX, ev.clientY); }
  });
  document.addEventListener("mouseout", function (ev) {
    var el = target(ev);
    if (el) { hideTip(); }
  });
  document.addEventListener("focusin", function (ev) {
    var el = target(ev);
    if (el) {
      var r = el.getBoundingClientRect();
      showTip(el, r.left, r.bottom);
    }
  });
  document.addEventListener("focusout", hideTip);

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { ev.preventDefault(); return; }
    var who = form.querySelector("input[name=reviewer]");
    if (who && who.value) {
      try { window.localStorage.setItem("watcher.reviewer", who.value); } catch (e) { /* private mode */ }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var name = null;
    try { name = window.localStorage.getItem("watcher.reviewer"); } catch (e) { name = null; }
    if (name) {
      document.querySelectorAll("input[name=reviewer]").forEach(function (el) {
        if (!el.value) { el.value = name; }
      });
    }
  });
})();
