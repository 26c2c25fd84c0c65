/* The customer's chat: history and anything missed come by cursor (?after=seq), live events by socket;
   a message is drawn once per seq, so reconnects neither lose nor repeat anything. */
(function () {
  "use strict";
  const K = window.Kefu;
  const list = document.getElementById("messages");
  const text = document.getElementById("text");
  const file = document.getElementById("file");
  const notice = document.getElementById("notice");
  const queueInfo = document.getElementById("queue-info");
  const rating = document.getElementById("rating");
  const compose = document.getElementById("compose");
  const conn = document.getElementById("conn");
  const shown = new Map();  // seq -> <li>
  let cursor = 0, status = document.getElementById("visitor").dataset.status, rated = document.getElementById("visitor").dataset.rated === "1";
  let pendingKey = null;

  function draw(m) {
    if (m.retracts_seq) { retract(m.retracts_seq); cursor = Math.max(cursor, m.seq); return; }
    if (shown.has(m.seq)) return;
    const li = K.el("li", "msg from-" + m.sender_kind + (m.blocked ? " outcome-block" : ""));
    li.dataset.seq = m.seq;
    if (m.sender_kind !== "system") li.appendChild(K.el("div", "meta", (m.sender_kind === "customer" ? "我" : m.sender_name) + " · " + K.time(m.created_at)));
    li.appendChild(K.el("div", "text", m.text));
    if (m.attachment) {
      if (m.attachment.is_image) { const img = K.el("img", "thumb"); img.src = m.attachment.url; img.alt = m.attachment.name; li.appendChild(img); }
      else { const a = K.el("a", "", m.attachment.name); a.href = m.attachment.url; li.appendChild(a); }
    }
    if (m.blocked) li.appendChild(K.el("div", "blocked-line", "未发送：" + (m.notice || "请通过官方渠道联系")));
    shown.set(m.seq, li);
    // Keep seq order even if a live event overtakes a catch-up page.
    let after = null;
    for (const [seq, node] of shown) { if (seq > m.seq && (!after || seq < Number(after.dataset.seq))) after = node; }
    list.insertBefore(li, after);
    cursor = Math.max(cursor, m.seq);
    list.scrollTop = list.scrollHeight;
  }
  function retract(seq) {
    const li = shown.get(seq);
    if (!li) return;
    li.classList.add("retracted");
    const body = li.querySelector(".text"); if (body) body.textContent = "客服撤回了一条消息";
    const img = li.querySelector("img, a"); if (img) img.remove();
  }
  function applyStatus(s) {
    status = s.status;
    if (typeof s.rated === "boolean") rated = s.rated;
    if (status === "queued") {
      queueInfo.hidden = false;
      queueInfo.textContent = (s.position !== null && s.position !== undefined && (s.tell_position || s.position > 0))
        ? "正在排队：您前面还有 " + s.position + " 位，请稍候。" : "正在为您安排客服，请稍候…";
    } else { queueInfo.hidden = true; }
    const closed = status === "closed";
    compose.hidden = closed;
    rating.hidden = !closed;
    document.getElementById("rate").hidden = rated;
    document.getElementById("new-form").hidden = !closed || !rated;
  }
  async function catchUp() {
    for (;;) {
      const r = await fetch("/channel/chat/messages/?after=" + cursor, {credentials: "same-origin"});
      if (!r.ok) return;
      const page = await r.json();
      page.items.forEach(draw);
      applyStatus(page.status);
      cursor = Math.max(cursor, page.cursor);
      if (!page.has_more) return;
    }
  }
  async function send(ev) {
    ev.preventDefault();
    const body = text.value, picked = file.files[0];
    if (!picked && !body.trim()) { showNotice("请输入内容"); return; }
    pendingKey = pendingKey || K.newKey();  // the same key on a retry: the server stores it once
    const headers = {"Idempotency-Key": pendingKey, "X-CSRFToken": K.csrf()};
    let init;
    if (picked) { const fd = new FormData(); fd.append("file", picked); fd.append("text", body); init = {method: "POST", headers: headers, body: fd}; }
    else { headers["Content-Type"] = "application/json"; init = {method: "POST", headers: headers, body: JSON.stringify({text: body})}; }
    let r;
    try { r = await fetch("/channel/chat/messages/", Object.assign({credentials: "same-origin"}, init)); }
    catch (e) { showNotice("网络不稳定，请再点一次发送（不会重复发送）"); return; }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { showNotice(data.message || "发送失败"); if (r.status >= 500) return; pendingKey = null; return; }
    pendingKey = null; text.value = ""; file.value = "";
    draw(data.message);
    if (!data.delivered) showNotice(data.notice || "请通过官方渠道联系"); else hideNotice();
  }
  function showNotice(msg) { notice.textContent = msg; notice.hidden = false; }
  function hideNotice() { notice.hidden = true; }
  compose.addEventListener("submit", send);
  document.getElementById("send").disabled = false;  // only now does sending go through send()
  text.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); compose.requestSubmit(); } });
  document.getElementById("end").addEventListener("click", async function () {
    if (!confirm("确定结束本次咨询吗？")) return;
    await fetch("/channel/chat/close/", {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": K.csrf()}});
    catchUp();
  });
  document.getElementById("rate").addEventListener("click", async function () {
    const picked = document.querySelector("input[name=score]:checked");
    if (!picked) { showNotice("请选择 1–5 星"); return; }
    const fd = new FormData(); fd.append("score", picked.value); fd.append("comment", document.getElementById("comment").value);
    const r = await fetch("/channel/chat/rate/", {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": K.csrf()}, body: fd});
    const data = await r.json().catch(() => ({}));
    if (r.ok) { rated = true; applyStatus({status: "closed", rated: true}); showNotice("感谢您的评价！"); } else showNotice(data.message || "评价失败");
  });
  const live = K.Live("/ws/channel/visitor/", {
    open: catchUp,
    state: function (s) { conn.hidden = s === "open"; conn.textContent = s === "open" ? "" : "重新连接中…"; },
    event: function (e) {
      if (e.kind === "message") { if (e.seq > cursor + 1) catchUp(); else draw(e); }
      else if (e.kind === "status") { applyStatus(Object.assign({rated: rated}, e)); if (e.status === "closed") catchUp(); }
    },
  });
  window.kefuChat = {live: live, catchUp: catchUp};
  applyStatus({status: status, rated: rated});
  catchUp();
  setInterval(function () { if (status === "queued") fetch("/channel/chat/status/", {credentials: "same-origin"}).then((r) => r.json()).then(applyStatus).catch(() => {}); }, 10000);
})();
