/* The view beacon, the site's one script: one POST per page view to the URL in its own data-views
   attribute (same origin, so no CORS and no preflight; no body: the API takes the slug from the path).
   A page that is only prerendered counts when, and if, it is shown. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-views");
  if (!url) {
    return;
  }
  function send() {
    if (navigator.sendBeacon && navigator.sendBeacon(url)) {
      return;
    }
    if (window.fetch) {
      fetch(url, { method: "POST", keepalive: true, credentials: "same-origin" }).catch(function () {});
    }
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
