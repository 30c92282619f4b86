"use strict";
// The agent page: the queue, and a draft checked as the agent types (debounced).
const $ = (id) => document.getElementById(id);
let lastCheck = null;
let timer = null;

async function api(path, options = {}) {
  const response = await fetch(path, { headers: { "content-type": "application/json" }, ...options });
  const body = await response.json().catch(() => ({}));
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
      item.append(element("span", { class: `badge ${ticket.severity}` }, ticket.severity));
      ticket.signals.forEach((s) => item.append(element("span", { class: "signal" }, s.label)));
      item.append(element("div", { class: "text" }, ticket.text));
      list.append(item);
    }
    $("status").textContent = `тикетов: ${page.items.length}`;
  } catch (error) {
    $("status").textContent = `ошибка очереди: ${error.message}`;
  }
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

$("draft").addEventListener("input", schedule);
$("refresh").addEventListener("click", loadQueue);
$("send-correction").addEventListener("click", sendCorrection);
loadQueue();
setInterval(loadQueue, 5000);
