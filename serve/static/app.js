"use strict";
// The agent page: the queue, and a draft checked as the agent types (debounced).
const $ = (id) => document.getElementById(id);
let lastCheck = null;
let timer = null;

// The API key is asked for once and kept in this browser; `#key=…` in the address (printed by a
// local `make run`) is taken and removed from the address bar.
const KEY_STORE = "complaint-triage.api-key";
if (location.hash.startsWith("#key=")) {
  localStorage.setItem(KEY_STORE, decodeURIComponent(location.hash.slice(5)));
  history.replaceState(null, "", location.pathname);
}

function askForKey(message = "") {
  $("key-form").hidden = false;
  $("key-status").textContent = message;
  $("api-key").focus();
}

async function api(path, options = {}) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${localStorage.getItem(KEY_STORE) || ""}` };
  const response = await fetch(path, { headers, ...options });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    askForKey(localStorage.getItem(KEY_STORE) ? "ключ не подошёл" : "");
  }
  if (!response.ok) throw new Error(body.detail ? JSON.stringify(body.detail) : response.statusText);
  return body;
}

function element(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
  if (text) node.textContent = text;
  return node;
}

async function loadQueue() {
  try {
    const page = await api("/v1/tickets?limit=50");
    const list = $("queue");
    list.replaceChildren();
    for (const ticket of page.items) {
      const item = element("li", { "data-id": ticket.id, "data-severity": ticket.severity });
      const open = element("button", { type: "button", class: "open", "aria-label": `Открыть тикет ${ticket.id}` });
      open.append(element("span", { class: `badge ${ticket.severity}` }, ticket.severity));
      ticket.signals.forEach((s) => open.append(element("span", { class: "signal" }, s.label)));
      open.append(element("div", { class: "text" }, ticket.text));
      open.addEventListener("click", () => showTicket(ticket));
      item.append(open);
      list.append(item);
    }
    $("status").textContent = `тикетов: ${page.items.length}`;
  } catch (error) {
    $("status").textContent = `ошибка очереди: ${error.message}`;
  }
}

// The ticket view: its text with the evidence of every signal highlighted (offsets index the
// thread: the text and any follow-ups joined by a blank line).
function showTicket(ticket) {
  const thread = [ticket.text, ...ticket.messages.map((m) => m.text)].join("\n\n");
  const marks = ticket.signals.flatMap((s) => s.spans.map((span) => ({ ...span, label: s.label })))
    .sort((a, b) => a.start - b.start);
  const view = $("ticket-text");
  view.replaceChildren();
  let cursor = 0;
  for (const mark of marks) {
    if (mark.start < cursor) continue;
    const start = toUnits(thread, mark.start), end = toUnits(thread, mark.end);
    view.append(document.createTextNode(thread.slice(toUnits(thread, cursor), start)));
    view.append(element("mark", { class: "signal-evidence", "data-label": mark.label, title: mark.label, tabindex: "0" }, thread.slice(start, end)));
    cursor = mark.end;
  }
  view.append(document.createTextNode(thread.slice(toUnits(thread, cursor))));
  $("ticket-id").textContent = `#${ticket.id}`;
  $("ticket-severity").textContent = ticket.severity;
  $("ticket-severity").className = `badge ${ticket.severity}`;
  $("ticket-scores").textContent = Object.entries(ticket.scores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");
  $("ticket-signals").textContent = ticket.signals.map((s) => s.label).join(", ") || "—";
  $("ticket").hidden = false;
}

// Python offsets count code points; JavaScript strings count UTF-16 units: convert at this boundary.
function toUnits(text, codePoints) {
  return Array.from(text).slice(0, codePoints).join("").length;
}

function render(text, result) {
  const preview = $("preview");
  preview.replaceChildren();
  let cursor = 0;
  for (const span of result.spans) {
    const start = toUnits(text, span.start), end = toUnits(text, span.end);
    preview.append(document.createTextNode(text.slice(cursor, start)));
    const mark = element("mark", { class: "blame", "data-label": span.label, title: `${span.message}\n→ ${span.suggestion}`, tabindex: "0" }, text.slice(start, end));
    preview.append(mark);
    cursor = end;
  }
  preview.append(document.createTextNode(text.slice(cursor)));
  $("verdict").textContent = result.tone;
  $("verdict").dataset.tone = result.tone;
  $("scores").textContent = Object.entries(result.scores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");
  const issues = $("issues");
  issues.replaceChildren();
  result.spans.forEach((span, index) => {
    const item = element("li", { "data-label": span.label });
    item.append(element("strong", {}, `[${span.label}] `), element("span", {}, span.message), element("br"));
    item.append(element("em", {}, `Лучше: ${span.suggestion} `));
    const apply = element("button", { type: "button", class: "apply", "data-index": String(index) }, "Применить");
    apply.addEventListener("click", () => applySuggestion(index));
    item.append(apply);
    issues.append(item);
  });
  $("missing").textContent = result.elements.missing.join(", ") || "—";
}

async function check() {
  const text = $("draft").value;
  if (!text.trim()) { $("preview").replaceChildren(); $("verdict").textContent = "—"; $("verdict").dataset.tone = ""; return; }
  try {
    lastCheck = { text, result: await api("/v1/replies/check", { method: "POST", body: JSON.stringify({ text }) }) };
    render(text, lastCheck.result);
  } catch (error) {
    $("verdict").textContent = `не проверено: ${error.message}`;
    $("verdict").dataset.tone = "";
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(check, 300);
}

function applySuggestion(index) {
  if (!lastCheck) return;
  const { text, result } = lastCheck;
  const span = result.spans[index];
  const start = toUnits(text, span.start), end = toUnits(text, span.end);
  const suggestion = span.suggestion.replace(/^.*?«(.*)»[^«]*$/s, "$1");
  $("draft").value = text.slice(0, start) + suggestion + text.slice(end);
  $("draft").focus();
  check();
}

async function sendCorrection() {
  const text = $("draft").value;
  const body = { target: "reply", text, tone: $("tone-fix").value, agent: $("agent").value || "агент" };
  if (body.tone !== "blame_shifting") body.spans = [];
  if (lastCheck) body.model_version = lastCheck.result.model_version;
  try {
    const stored = await api("/v1/corrections", { method: "POST", body: JSON.stringify(body) });
    $("correction-status").textContent = `исправление сохранено #${stored.id}`;
  } catch (error) {
    $("correction-status").textContent = `не сохранено: ${error.message}`;
  }
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem(KEY_STORE, $("api-key").value.trim());
  $("api-key").value = "";
  $("key-form").hidden = true;
  loadQueue();
});
$("draft").addEventListener("input", schedule);
$("refresh").addEventListener("click", loadQueue);
$("send-correction").addEventListener("click", sendCorrection);
loadQueue();
setInterval(loadQueue, 5000);
