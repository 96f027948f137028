// Live reload for `dafu serve`. The server puts this script into the HTML
// pages it serves, never into a build. It listens to the server's events and
// reloads the page after each rebuild; a change to stylesheets alone swaps
// them in place. A browser without EventSource simply does not reload.
(function () {
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var source = new EventSource(script.getAttribute("data-dafu-events"));
  var lost = false;
  source.addEventListener("reload", function () {
    location.reload();
  });
  source.addEventListener("styles", function () {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href").replace(/[?&]dafu-reload=\d+$/, "");
      links[i].setAttribute("href", href + (href.indexOf("?") < 0 ? "?" : "&") + "dafu-reload=" + Date.now());
    }
  });
  // The server went away (stopped, restarted): when it answers again, the
  // site it serves may differ from this page.
  source.addEventListener("error", function () {
    lost = true;
  });
  source.addEventListener("open", function () {
    if (lost) location.reload();
  });
})();
