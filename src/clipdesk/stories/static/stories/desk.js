// Keyboard shortcuts for the desk. Everything also works without this file.
(function () {
  "use strict";
  var stories = [];
  var current = -1;
  function mark(i) {
    current = i;
    stories.forEach(function (s, n) { s.classList.toggle("current", n === current); });
  }
  function focus(i) {
    if (!stories.length) return;
    mark(Math.max(0, Math.min(stories.length - 1, i)));
    stories[current].focus();
    stories[current].scrollIntoView({ block: "start" });
  }
  // The story the editor clicked or tabbed into is the one the keys act on: they acted on
  // the one last reached with j/k, and "s" pressed in the third snoozed the first.
  document.addEventListener("focusin", function (event) {
    var story = event.target.closest && event.target.closest(".story");
    var i = stories.indexOf(story);
    if (i >= 0 && i !== current) mark(i);
  });
  function press(key) {
    var story = stories[current];
    if (!story) return;
    if (key === "o") {
      var link = story.querySelector("a.snapshot");
      if (link) window.location = link.href;
      return;
    }
    if (key === "s") {
      var until = story.querySelector("input[name=until]");
      var d = new Date(Date.now() + 7 * 864e5);
      if (until && !until.value) until.value = d.toISOString().slice(0, 10);
    }
    var button = story.querySelector("button[data-key=" + key + "]");
    if (button) button.click();
  }
  // One decision per story: a key pressed again (or a button clicked twice) while the page
  // is being sent sent it again, and the editor was told the story was "already published".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  // A page brought back from the browser's cache (Back) takes decisions again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) { delete form.dataset.sent; });
  });
  document.addEventListener("DOMContentLoaded", function () {
    stories = Array.prototype.slice.call(document.querySelectorAll(".story"));
    // Back from a decision the desk shows the story after it (#story-N): the keys act on
    // that one, not on the first, out of sight above.
    var shown = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (stories.length) focus(Math.max(0, stories.indexOf(shown)));
  });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") focus(current + 1);
    else if (event.key === "k") focus(current - 1);
    else if ("pdso".indexOf(event.key) >= 0 && event.key.length === 1) press(event.key);
    else return;
    event.preventDefault();
  });
})();
