// Mesh dashboard: polls ./stats every second, draws the services, endpoints and TCP tables, a route table per service
// and two charts, and streams ./tap for the filter in the form; the sidecar's identity (./config, every 5 s) shows in the
// header, as a warning when it nears its expiry. No external assets: it works offline.
"use strict";

const history = new Map(); // service key -> [{success, p99}], newest last
const colors = ["#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bc4c00"];
const maxPoints = 60;
let tapController = null;

const fmt = (v, digits = 1) => (v === null || v === undefined) ? "–" : Number(v).toFixed(digits);
const pct = v => (v === null || v === undefined) ? "–" : (v * 100).toFixed(2) + "%";

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) tr.appendChild(c);
  return tr;
}

async function refresh() {
  const window = document.getElementById("window").value;
  try {
    const response = await fetch("stats?window=" + encodeURIComponent(window), { cache: "no-store" });
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    const stats = await response.json();
    render(stats);
    document.getElementById("status").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("status").textContent = "cannot read stats: " + e.message;
  }
}

function render(stats) {
  const services = document.querySelector("#services tbody");
  const endpoints = document.querySelector("#endpoints tbody");
  services.replaceChildren();
  endpoints.replaceChildren();
  for (const s of stats.services) {
    const tr = row([
      cell(s.service, "text"), cell(s.direction, "text"),
      cell(fmt(s.requests.per_second)), cell(pct(s.requests.success_rate)),
      cell(fmt(s.attempts.per_second)), cell(pct(s.attempts.success_rate)),
      cell(fmt(s.requests.latency_ms.p50, 2)), cell(fmt(s.requests.latency_ms.p95, 2)), cell(fmt(s.requests.latency_ms.p99, 2)),
      cell(fmt(s.retries_per_second, 2)), cell(fmt(s.budget_remaining, 0)),
    ]);
    tr.dataset.service = s.service;
    tr.dataset.direction = s.direction;
    services.appendChild(tr);
    for (const e of s.endpoints) {
      const er = row([
        cell(s.service, "text"), cell(e.endpoint, "text"), cell(e.state, "text " + e.state), cell(e.reason || "", "text"),
        cell(fmt(e.attempts.per_second)), cell(pct(e.attempts.success_rate)),
        cell(fmt(e.attempts.latency_ms.p50, 2)), cell(fmt(e.attempts.latency_ms.p99, 2)),
        cell(String(e.in_flight)), cell(fmt(e.latency_estimate_ms, 2)),
      ]);
      er.dataset.endpoint = e.endpoint;
      endpoints.appendChild(er);
    }

    const key = s.direction + " " + s.service;
    const points = history.get(key) || [];
    points.push({ success: s.requests.success_rate, p99: s.requests.latency_ms.p99 });
    if (points.length > maxPoints) points.shift();
    history.set(key, points);
  }

  renderRoutes(stats);
  // The sidecar's opaque TCP connections (absent in-process): shown once there are some.
  const tcp = document.querySelector("#tcp tbody");
  tcp.replaceChildren();
  for (const t of stats.tcp || []) {
    const tr = row([
      cell(t.service, "text"), cell(t.direction, "text"), cell(String(t.active)), cell(String(t.opened)),
      cell(fmt(t.opened_per_second, 2)), cell(String(t.failed), t.failed > 0 ? "failure" : ""),
      cell(fmt(t.transmit_bytes_per_second, 0)), cell(fmt(t.receive_bytes_per_second, 0)),
    ]);
    tr.dataset.service = t.service;
    tr.dataset.direction = t.direction;
    tcp.appendChild(tr);
  }
  document.getElementById("tcp-section").hidden = tcp.children.length === 0;

  draw("success-chart", p => p.success === null ? null : p.success * 100, 100);
  draw("latency-chart", p => p.p99, null);
}

// The sidecar's identity from ./config: hidden where there is none (no identity, or an app's MapMeshAdmin without /config).
async function refreshIdentity() {
  const banner = document.getElementById("identity");
  try {
    const response = await fetch("config", { cache: "no-store" });
    const identity = response.ok ? (await response.json()).identity : null;
    banner.hidden = !identity;
    if (!identity) return;
    banner.className = "identity " + identity.state;
    banner.dataset.state = identity.state;
    banner.textContent = identity.warning || ("identity " + identity.spiffe_id + ", valid until " + new Date(identity.not_after).toISOString().replace(".000", ""));
  } catch (e) {
    banner.hidden = true;
  }
}

// One table per service and direction that has routes: each mesh.route value with its rate, success, latency, retries.
function renderRoutes(stats) {
  const container = document.getElementById("routes");
  const tables = [];
  for (const s of stats.services) {
    if (!s.routes || s.routes.length === 0) continue;
    const table = document.createElement("table");
    table.className = "routes";
    table.dataset.service = s.service;
    table.dataset.direction = s.direction;
    const caption = document.createElement("caption");
    caption.textContent = s.service + " (" + s.direction + ")";
    table.appendChild(caption);
    const head = document.createElement("thead");
    const header = row(["route", "req/s", "success", "p50 ms", "p95 ms", "p99 ms", "retries/s"].map(h => {
      const th = document.createElement("th");
      th.textContent = h;
      return th;
    }));
    head.appendChild(header);
    table.appendChild(head);
    const body = document.createElement("tbody");
    for (const r of s.routes) {
      const tr = row([
        cell(r.route, "text"), cell(fmt(r.requests.per_second)), cell(pct(r.requests.success_rate)),
        cell(fmt(r.requests.latency_ms.p50, 2)), cell(fmt(r.requests.latency_ms.p95, 2)), cell(fmt(r.requests.latency_ms.p99, 2)),
        cell(fmt(r.retries_per_second, 2)),
      ]);
      tr.dataset.route = r.route;
      body.appendChild(tr);
    }
    table.appendChild(body);
    tables.push(table);
  }
  if (tables.length === 0) {
    const none = document.createElement("p");
    none.className = "muted";
    none.textContent = "no routes yet";
    tables.push(none);
  }
  container.replaceChildren(...tables);
}

function draw(id, value, fixedMax) {
  const canvas = document.getElementById(id);
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  let max = fixedMax;
  if (max === null) {
    max = 1;
    for (const points of history.values()) for (const p of points) { const v = value(p); if (v !== null && v > max) max = v; }
  }
  g.strokeStyle = "#eef0f3";
  g.fillStyle = "#6b7684";
  g.font = "11px system-ui";
  for (let i = 0; i <= 4; i++) {
    const y = 10 + (canvas.height - 30) * i / 4;
    g.beginPath(); g.moveTo(36, y); g.lineTo(canvas.width - 4, y); g.stroke();
    g.fillText((max * (4 - i) / 4).toFixed(max < 10 ? 1 : 0), 2, y + 4);
  }
  let index = 0;
  const legend = [];
  for (const [key, points] of history) {
    const color = colors[index++ % colors.length];
    legend.push([key, color]);
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    let started = false;
    points.forEach((p, i) => {
      const v = value(p);
      if (v === null) { started = false; return; }
      const x = 36 + (canvas.width - 40) * (i + maxPoints - points.length) / (maxPoints - 1);
      const y = 10 + (canvas.height - 30) * (1 - Math.min(v, max) / max);
      if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
    });
    g.stroke();
  }
  let x = 40;
  for (const [key, color] of legend) {
    g.fillStyle = color;
    g.fillText(key, x, canvas.height - 4);
    x += g.measureText(key).width + 14;
  }
  canvas.dataset.points = String(Math.max(0, ...[...history.values()].map(p => p.length)));
}

async function startTap(event) {
  event.preventDefault();
  stopTap();
  const form = new FormData(document.getElementById("tap-form"));
  const query = new URLSearchParams();
  for (const [k, v] of form) if (v) query.set(k, v);
  const body = document.querySelector("#tap tbody");
  body.replaceChildren();
  let count = 0;
  tapController = new AbortController();
  document.getElementById("tap-start").disabled = true;
  document.getElementById("tap-stop").disabled = false;
  try {
    const response = await fetch("tap?" + query.toString(), { signal: tapController.signal });
    if (!response.ok) {
      document.getElementById("tap-count").textContent = await response.text();
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        const e = JSON.parse(line);
        // A TCP connection: its destination for the path, bytes each way and how it ended for the attempts.
        if (e.tcp) {
          e.path = e.authority;
          e.attempts = [{ endpoint: "tx " + e.tcp.transmitted_bytes + " B, rx " + e.tcp.received_bytes + " B", outcome: e.tcp.outcome }];
        }
        const tr = row([
          cell(new Date(e.time).toLocaleTimeString(), "text"), cell(e.direction, "text"), cell(e.service, "text"),
          cell(e.method, "text"), cell(e.path, "text"), cell(e.tcp ? e.tcp.outcome : e.status === null ? "error" : String(e.status), e.classification),
          cell(fmt(e.duration_ms, 2)), cell(e.endpoint || "", "text"),
          cell(e.attempts.map(a => a.endpoint + " " + a.outcome).join(", "), "text"),
          cell(e.retries.join(", ") + (e.retry_skipped ? " (skipped: " + e.retry_skipped + ")" : ""), "text"),
          cell(e.route || "", "text"),
        ]);
        tr.dataset.status = e.tcp ? e.tcp.outcome : e.status === null ? "" : String(e.status);
        tr.dataset.path = e.path;
        tr.dataset.route = e.route || "";
        body.prepend(tr);
        while (body.children.length > 200) body.lastChild.remove();
        document.getElementById("tap-count").textContent = (++count) + " events";
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") document.getElementById("tap-count").textContent = "tap ended: " + e.message;
  } finally {
    document.getElementById("tap-start").disabled = false;
    document.getElementById("tap-stop").disabled = true;
  }
}

function stopTap() {
  if (tapController) tapController.abort();
  tapController = null;
}

document.getElementById("tap-form").addEventListener("submit", startTap);
document.getElementById("tap-stop").addEventListener("click", stopTap);
document.getElementById("window").addEventListener("change", () => { history.clear(); refresh(); });
refresh();
setInterval(refresh, 1000);
refreshIdentity();
setInterval(refreshIdentity, 5000);
