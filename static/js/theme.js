/* Django Lab: runs in <head> before any CSS paints (a blocking script, not deferred): the saved theme,
   else the system's, so there is no flash. A file of its own, not inline, so the Content-Security-Policy
   can forbid inline scripts. */
(function () {
  "use strict";
  var saved = null;
  try { saved = localStorage.getItem("lab-theme"); } catch (e) {}
  var dark = saved ? saved === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  document.documentElement.classList.add("js");
})();
