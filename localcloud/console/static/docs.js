// Starts Swagger UI on the console's /_local/docs page. The page passes its settings in data-
// attributes (no inline script, so the page's CSP can stay at script-src 'self'):
//   data-urls     [{name, url}] one OpenAPI document per API, servers rewritten to the local API
//   data-primary  the name of the API shown first
//   data-token    an ID token to send with every operation that declares an API-key or bearer scheme
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var token = root.getAttribute("data-token") || "";

  function authorize(ui) {
    var definitions = ui.specSelectors.securityDefinitions();
    if (!token || !definitions) {
      return;
    }
    var auth = {};
    definitions.forEach(function (definition, name) {
      var type = definition.get("type");
      var bearer = type === "http" && String(definition.get("scheme")).toLowerCase() === "bearer";
      if (type === "apiKey" || bearer) {
        auth[name] = { name: name, schema: definition.toJS(), value: token };
      }
    });
    ui.authActions.authorize(auth);
  }

  var ui = SwaggerUIBundle({
    urls: JSON.parse(root.getAttribute("data-urls") || "[]"),
    "urls.primaryName": root.getAttribute("data-primary") || undefined,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    onComplete: function () {
      authorize(ui);
    },
  });
  window.localcloudSwaggerUi = ui;
})();
