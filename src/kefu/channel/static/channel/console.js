/* The agent console: own conversations, live by socket, caught up by cursor after any reconnect. */
(function () {
  "use strict";
  const K = window.Kefu;
  const root = document.getElementById("console");
  const api = root.dataset.api;
  const me = Number(root.dataset.employee);
  const listEl = document.getElementById("conversation-list");
  const msgs = document.getElementById("messages");
  const text = document.getElementById("text");
  const file = document.getElementById("file");
  const sendBtn = document.getElementById("send");
  const closeBtn = document.getElementById("close-conv");
  const notice = document.getElementById("notice");
  const conn = document.getElementById("conn");
  const convs = new Map();  // id -> {cursor, items: Map(seq -> payload), status, unread}
  let current = null, pendingKey = null, live = null;

  function conv(id) {
    if (!convs.has(id)) convs.set(id, {cursor: 0, items: new Map(), status: "active", unread: 0});
    return convs.get(id);
  }
  function headers(extra) { return Object.assign({"X-CSRFToken": K.csrf()}, extra || {}); }
  async function catchUp(id) {
    const c = conv(id);
    for (;;) {
      const r = await fetch(api + "/conversations/" + id + "/messages?after=" + c.cursor, {credentials: "same-origin"});
      if (!r.ok) { if (r.status === 404) forget(id); return; }
      const page = await r.json();
      c.status = page.conversation_status;
      page.items.forEach((m) => add(id, m));
      c.cursor = Math.max(c.cursor, page.cursor);
      if (!page.has_more) break;
    }
    markList(id);
    if (id === current) enableCompose();
  }
  function add(id, m) {
    const c = conv(id);
    if (m.retracts_seq && c.items.has(m.retracts_seq)) c.items.get(m.retracts_seq).retracted = true;
    if (c.items.has(m.seq)) return;
    c.items.set(m.seq, m);
    c.cursor = Math.max(c.cursor, m.seq);
    if (id === current) render(); else if (m.sender_kind === "customer") { c.unread += 1; markList(id); }
  }
  function render() {
    msgs.replaceChildren();
    if (current === null) return;
    const c = conv(current);
    [...c.items.values()].sort((a, b) => a.seq - b.seq).forEach(function (m) {
      if (m.retracts_seq) { msgs.appendChild(K.el("li", "msg from-system", "你撤回了 #" + m.retracts_seq + "（客户看不到原文，记录保留）")); return; }
      const li = K.el("li", "msg from-" + m.sender_kind + " outcome-" + m.outcome + (m.retracted ? " retracted" : ""));
      li.dataset.seq = m.seq;
      const meta = K.el("div", "meta", m.sender_name + " · " + K.time(m.created_at));
      if (m.sender_kind === "agent" && m.sender_employee_id === me && m.outcome !== "block" && !m.retracted) {
        const b = K.el("button", "retract", "撤回"); b.type = "button"; b.addEventListener("click", () => retract(m.id)); meta.appendChild(b);
      }
      li.appendChild(meta);
      if (m.text) li.appendChild(K.el("div", "body", m.text));
      if (m.attachment) {
        if (m.attachment.is_image) { const img = K.el("img", "thumb"); img.src = m.attachment.url; img.alt = m.attachment.name; li.appendChild(img); }
        else { const a = K.el("a", "", m.attachment.name); a.href = m.attachment.url; li.appendChild(a); }
      }
      if (m.order) li.appendChild(K.el("div", "small", "关联订单 " + m.order.number));
      if (m.outcome === "warn") li.appendChild(K.el("div", "warning-line", "⚠ 合规预警：" + m.reasons.join("；")));
      if (m.outcome === "block") li.appendChild(K.el("div", "blocked-line", "已拦截，未送达：" + m.reasons.join("；")));
      if (m.retracted) li.appendChild(K.el("div", "small", "已撤回"));
      msgs.appendChild(li);
    });
    msgs.scrollTop = msgs.scrollHeight;
  }
  function markList(id) {
    const li = listEl.querySelector('li[data-id="' + id + '"]');
    if (!li) return;
    const c = conv(id);
    const badge = li.querySelector(".unread");
    badge.textContent = c.unread; badge.hidden = c.unread === 0;
    li.classList.toggle("closed", c.status === "closed");
    li.classList.toggle("current", id === current);
  }
  function listItem(id, name) {
    if (listEl.querySelector('li[data-id="' + id + '"]')) return;
    const li = K.el("li"); li.dataset.id = id;
    const b = K.el("button", "conv", name); b.type = "button";
    const badge = K.el("span", "unread", "0"); badge.hidden = true; b.appendChild(badge);
    li.appendChild(b); listEl.appendChild(li);
    b.addEventListener("click", () => select(id));
    document.getElementById("no-conversations").hidden = true;
  }
  function forget(id) {
    const li = listEl.querySelector('li[data-id="' + id + '"]'); if (li) li.remove();
    convs.delete(id);
    if (current === id) { current = null; render(); enableCompose(); }
  }
  function enableCompose() {
    const ok = current !== null && conv(current).status === "active";
    [text, file, sendBtn, closeBtn].forEach((n) => { n.disabled = !ok; });
  }
  function select(id) {
    current = id;
    const c = conv(id); c.unread = 0;
    listEl.querySelectorAll("li").forEach((li) => markList(Number(li.dataset.id)));
    const li = listEl.querySelector('li[data-id="' + id + '"]');
    document.getElementById("chat-title").textContent = li ? li.querySelector("button").firstChild.textContent.trim() : "#" + id;
    hideNotice(); render(); enableCompose(); catchUp(id);
    if (window.htmx) htmx.ajax("GET", root.dataset.cardUrl.replace("/0/", "/" + id + "/"), "#customer-card");
  }
  async function send(ev) {
    ev.preventDefault();
    if (current === null) return;
    const body = text.value, picked = file.files[0];
    if (!picked && !body.trim()) { showNotice("请输入内容"); return; }
    pendingKey = pendingKey || K.newKey();
    let r;
    try {
      if (picked) {
        const fd = new FormData(); fd.append("file", picked); fd.append("text", body);
        r = await fetch(api + "/conversations/" + current + "/attachments", {method: "POST", credentials: "same-origin", headers: headers({"Idempotency-Key": pendingKey}), body: fd});
      } else {
        r = await fetch(api + "/conversations/" + current + "/messages", {method: "POST", credentials: "same-origin",
          headers: headers({"Idempotency-Key": pendingKey, "Content-Type": "application/json"}), body: JSON.stringify({text: body})});
      }
    } catch (e) { showNotice("网络不稳定，请再次发送（不会重复）"); return; }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { showNotice(data.message || "发送失败"); if (r.status < 500) pendingKey = null; return; }
    pendingKey = null; text.value = ""; file.value = "";
    add(current, data.message);
    if (!data.delivered) showNotice("消息被拦截，未送达客户：" + (data.notice || "") + "（" + data.reasons.join("；") + "）");
    else if (data.outcome === "warn") showNotice("已送达，但触发合规预警：" + data.reasons.join("；"));
    else hideNotice();
  }
  async function retract(messageId) {
    const r = await fetch(api + "/conversations/" + current + "/messages/" + messageId + "/retract", {method: "POST", credentials: "same-origin", headers: headers()});
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { showNotice(data.message || "撤回失败"); return; }
    add(current, data.message); render();
  }
  function showNotice(msg) { notice.textContent = msg; notice.hidden = false; }
  function hideNotice() { notice.hidden = true; }

  document.getElementById("compose").addEventListener("submit", send);
  text.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); document.getElementById("compose").requestSubmit(); } });
  document.querySelectorAll(".quick-reply").forEach((b) => b.addEventListener("click", () => { text.value = b.textContent; text.focus(); }));
  closeBtn.addEventListener("click", async function () {
    if (current === null || !confirm("确定结束这个会话吗？")) return;
    const r = await fetch(api + "/conversations/" + current + "/close", {method: "POST", credentials: "same-origin", headers: headers()});
    if (r.ok) { conv(current).status = "closed"; enableCompose(); catchUp(current); markList(current); }
  });
  document.getElementById("presence").addEventListener("change", async function (e) {
    const r = await fetch(api + "/presence", {method: "PUT", credentials: "same-origin", headers: headers({"Content-Type": "application/json"}), body: JSON.stringify({status: e.target.value})});
    if (!r.ok) showNotice("状态设置失败");
  });
  listEl.querySelectorAll("li").forEach(function (li) {
    const id = Number(li.dataset.id); conv(id);
    li.querySelector("button").addEventListener("click", () => select(id));
  });

  live = K.Live("/ws/channel/staff/", {
    state: function (s) { conn.textContent = s === "open" ? "实时" : "重新连接中…"; conn.className = "badge " + (s === "open" ? "ok" : "warn"); },
    open: function () { convs.forEach((c, id) => { live.send({action: "subscribe", conversation_id: id}); catchUp(id); }); },
    event: function (e) {
      if (e.kind === "message") { const c = conv(e.conversation_id); if (e.seq > c.cursor + 1) catchUp(e.conversation_id); else add(e.conversation_id, e); if (current === e.conversation_id) render(); }
      else if (e.kind === "assigned") { listItem(e.conversation_id, e.customer_name); conv(e.conversation_id); live.send({action: "subscribe", conversation_id: e.conversation_id}); catchUp(e.conversation_id); }
      else if (e.kind === "unassigned") { forget(e.conversation_id); }
      else if (e.kind === "status") { const c = conv(e.conversation_id); c.status = e.status; markList(e.conversation_id); if (current === e.conversation_id) enableCompose(); }
    },
  });
  window.kefuConsole = {live: live, select: select};
  const pre = Number(root.dataset.selected || 0);
  if (pre && convs.has(pre)) select(pre); else if (listEl.querySelector("li")) select(Number(listEl.querySelector("li").dataset.id));
})();
