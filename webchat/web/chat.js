// Customer chat widget: posts to the assistant's in-app channel with the app's signed token.
// Every text is inserted with textContent, never innerHTML, so messages cannot inject markup.
// What the assistant says comes from its domain responses; the page's own words (its
// labels and what it says when the channel refuses a message, by the channel's error code)
// are LABELS below, per language: the page opens in the app's language (?lang=zh, else the
// browser's) and its own messages then follow the language the customer writes in, as the
// assistant's replies do.
(() => {
  "use strict";
  const LABELS = {
    en: {
      title: "Chat with the bank",
      demoCustomer: "Demo customer",
      placeholder: "Type your message…",
      message: "Message",
      send: "Send",
      errors: {
        message_too_long: "That message is too long. Please shorten it and send it again.",
        unauthorized: "Your session has ended. Please open the chat from the bank's app again.",
        bad_request: "That message could not be sent. Please try again.",
        in_progress: "Your previous message is still being answered.",
        rate_limited: "You are sending messages very quickly. Please wait a moment.",
        unavailable: "The assistant could not answer. Please try again.",
        unreachable: "The assistant cannot be reached. Please try again.",
      },
      demoSignInFailed: "Demo sign-in failed.",
      openFromApp: "Open this chat from the bank's app.",
      customer: "Customer",
    },
    zh: {
      title: "在线客服",
      demoCustomer: "演示客户",
      placeholder: "请输入您的问题…",
      message: "消息",
      send: "发送",
      errors: {
        message_too_long: "消息太长了，请精简后重新发送。",
        unauthorized: "您的会话已结束，请从我行App重新进入对话。",
        bad_request: "消息发送失败，请重试。",
        in_progress: "上一条消息还在处理中，请稍候。",
        rate_limited: "您发送消息太频繁了，请稍等片刻。",
        unavailable: "智能客服暂时无法回答，请重试。",
        unreachable: "暂时无法连接智能客服，请重试。",
      },
      demoSignInFailed: "演示登录失败。",
      openFromApp: "请从我行App进入本对话。",
      customer: "客户",
    },
  };
  const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  const wantedLanguage = new URLSearchParams(location.search).get("lang") || navigator.language || "en";
  let language = wantedLanguage.toLowerCase().startsWith("zh") ? "zh" : "en";
  const t = () => LABELS[language];
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const send = document.getElementById("send");
  const picker = document.getElementById("customer");
  let config = null;
  let token = null;
  let counter = 0;
  let socket = null;
  let typing = null;

  function add(kind, text) {
    const div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function addButtons(buttons) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of buttons) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", () => { row.remove(); deliver(b.title, b.payload); });
      row.appendChild(btn);
    }
    log.appendChild(row);
  }

  function render(messages) {
    for (const m of messages) {
      if (m.text) add("bot", m.text);
      if (m.buttons && m.buttons.length) addButtons(m.buttons);
    }
  }

  function showTyping(on) {
    if (on && !typing) { typing = add("system typing", "…"); }
    if (!on && typing) { typing.remove(); typing = null; }
  }

  // Live channel for what arrives outside a request: agent replies, typing, handoff status.
  function connectLive() {
    if (socket) socket.close();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/chat/ws`);
    socket = ws;
    ws.addEventListener("open", () => ws.send(JSON.stringify({ token })));
    ws.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "message") { showTyping(false); render([data.message]); }
      else if (data.type === "typing") showTyping(Boolean(data.on));
      else if (data.type === "handoff") document.body.dataset.handoff = data.status;
      else if (data.type === "ready") document.body.dataset.live = "on";
    });
    ws.addEventListener("close", () => {
      if (socket !== ws) return;
      document.body.dataset.live = "off";
      setTimeout(() => { if (socket === ws && token) connectLive(); }, 2000);
    });
  }

  // The conversation so far, from every channel (e.g. started on Telegram, finished here).
  async function loadHistory() {
    const res = await fetch("/chat/history", { headers: { "Authorization": `Bearer ${token}` } });
    if (!res.ok) return;
    for (const item of await res.json()) {
      if (!item.text) continue;
      const div = add(item.type === "user" ? "user" : "bot", item.text);
      if (item.channel && item.channel !== "app") div.dataset.channel = item.channel;
    }
  }

  async function begin() {
    log.replaceChildren();
    await loadHistory();
    connectLive();
    setReady(true);
  }

  function setReady(ready) { input.disabled = !ready; send.disabled = !ready; if (ready) input.focus(); }

  function followLanguage(text) {
    // The customer's own words decide (as core.language does for the assistant's replies).
    const before = language;
    if (HAN.test(text)) language = "zh";
    else if (/[A-Za-z]{2,}/.test(text) && !text.startsWith("/")) language = "en";
    if (language !== before) applyLabels();
  }

  function applyLabels() {
    document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
    document.title = t().title;
    document.getElementById("title").textContent = t().title;
    document.getElementById("demo-login-label").textContent = t().demoCustomer;
    input.placeholder = t().placeholder;
    input.setAttribute("aria-label", t().message);
    send.textContent = t().send;
  }

  async function deliver(shown, payload) {
    add("user", shown);
    followLanguage(shown);
    setReady(false);
    const messageId = `${Date.now()}-${++counter}`;
    try {
      const res = await fetch(`${config.rasaUrl}/webhooks/app/webhook`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Authorization": `Bearer ${token}` },
        body: JSON.stringify({ message: payload, message_id: messageId }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) { add("system", t().errors[body.error] || t().errors.bad_request); return; }
      render(body.messages || []);
    } catch (err) {
      add("system", t().errors.unreachable);
    } finally {
      setReady(true);
    }
  }

  async function signIn(customerId) {
    const res = await fetch(`/api/v1/demo/customers/${customerId}/app-token`, { method: "POST" });
    if (!res.ok) { add("system", t().demoSignInFailed); return; }
    token = (await res.json()).token;
    await begin();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || !token) return;
    input.value = "";
    deliver(text, text);
  });

  async function start() {
    applyLabels();
    config = await (await fetch("/chat/config.json")).json();
    const params = new URLSearchParams(location.search);
    // The bank's app passes its token in the fragment (never sent to servers or logs).
    const fromApp = new URLSearchParams(location.hash.slice(1)).get("token");
    if (fromApp) { token = fromApp; await begin(); return; }
    if (!config.demo) { add("system", t().openFromApp); return; }
    document.getElementById("demo-login").hidden = false;
    const customers = await (await fetch("/api/v1/demo/customers")).json();
    for (const c of customers) {
      const opt = document.createElement("option");
      opt.value = c.id;
      opt.textContent = `${c.first_name} (${c.customer_no})`;
      picker.appendChild(opt);
    }
    picker.addEventListener("change", () => signIn(picker.value));
    const wanted = params.get("customer");
    if (wanted && ![...picker.options].some((o) => o.value === wanted)) {
      // A demo customer beyond the first few in the list (tests pick their own).
      const opt = document.createElement("option");
      opt.value = wanted;
      opt.textContent = `${t().customer} ${wanted}`;
      picker.appendChild(opt);
    }
    if (wanted) picker.value = wanted;
    if (picker.value) await signIn(picker.value);
  }

  start();
})();
