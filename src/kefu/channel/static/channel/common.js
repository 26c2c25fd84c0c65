/* Shared by the agent console and the customer chat: ids, safe DOM building, a reconnecting socket. */
(function () {
  "use strict";
  function newKey() {
    // Works on plain http too (crypto.randomUUID needs a secure context).
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function csrf() {
    if (window.KEFU_CSRF) return window.KEFU_CSRF;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  // Every piece of message text goes through textContent: HTML in a message is shown, never run.
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function time(iso) { return (iso || "").replace("T", " ").slice(5, 16); }

  /* A WebSocket that comes back by itself; onOpen runs on every (re)connect so callers catch up by cursor. */
  function Live(path, handlers) {
    let socket = null, delay = 500, pinger = null, stopped = false;
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    function connect() {
      socket = new WebSocket(proto + location.host + path);
      socket.onopen = function () { delay = 500; handlers.state && handlers.state("open"); handlers.open && handlers.open(); };
      socket.onmessage = function (e) { let data; try { data = JSON.parse(e.data); } catch (err) { return; } handlers.event(data); };
      socket.onclose = function (e) {
        handlers.state && handlers.state("closed");
        if (stopped || e.code === 4401 || e.code === 4403) return;
        setTimeout(connect, delay); delay = Math.min(delay * 2, 10000);
      };
    }
    pinger = setInterval(function () { if (socket && socket.readyState === 1) socket.send(JSON.stringify({action: "ping"})); }, 25000);
    connect();
    return {
      send: function (obj) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(obj)); },
      drop: function () { if (socket) socket.close(); },  // for tests: simulate a dropped connection
      stop: function () { stopped = true; clearInterval(pinger); if (socket) socket.close(); },
    };
  }
  window.Kefu = { newKey: newKey, csrf: csrf, el: el, time: time, Live: Live };
})();
