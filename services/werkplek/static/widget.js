// Inside Element the werkplek is a room widget: ask the client for a Matrix OpenID token (widget API,
// "get_openid"), and hand it to the werkplek, which checks it with the homeserver. Outside Element
// nothing answers and the page keeps saying how to sign in with !werkplek.
(function () {
  var params = new URLSearchParams(window.location.search);
  var widgetId = params.get("widgetId");
  var parentUrl = params.get("parentUrl") || document.referrer;
  if (!widgetId || window.parent === window) { return; }
  var origin = "*";
  try { origin = new URL(parentUrl).origin; } catch (e) { /* keep "*": the reply is checked below */ }
  var requestId = "openid-" + Math.random().toString(36).slice(2);
  function send(action, data, id) {
    window.parent.postMessage({ api: "fromWidget", widgetId: widgetId, requestId: id, action: action,
                                data: data || {} }, origin);
  }
  window.addEventListener("message", function (event) {
    var msg = event.data || {};
    if (origin !== "*" && event.origin !== origin) { return; }
    if (msg.api === "toWidget" && msg.action === "capabilities") {
      window.parent.postMessage(Object.assign({}, msg, { response: { capabilities: [] } }), origin);
      send("get_openid", {}, requestId);
      return;
    }
    if (msg.api === "toWidget" && msg.action === "openid_credentials" && msg.data && msg.data.state === "allowed") {
      document.getElementById("access-token").value = msg.data.access_token;
      document.getElementById("openid-form").submit();
      return;
    }
    if (msg.api === "fromWidget" && msg.requestId === requestId && msg.response && msg.response.state === "allowed") {
      document.getElementById("access-token").value = msg.response.access_token;
      document.getElementById("openid-form").submit();
    }
  });
  send("content_loaded", {}, "loaded-" + requestId);
}());
