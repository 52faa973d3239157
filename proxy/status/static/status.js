// ctxproxy status page: fetches /status.json every few seconds and draws plain SVG line charts.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777",
  "#65a30d", "#9333ea", "#ea580c", "#0d9488", "#4b5563"];
const REFRESH_MS = 5000;
const W = 460, H = 170, PAD = { l: 52, r: 10, t: 10, b: 22 };

// Per agent / per model charts: [field, title, explanation, formatter]
const USAGE_CHARTS = [
  ["requests", "Requests", "chat requests seen per bucket", fmtInt],
  ["compactions", "Compactions", "requests sent compressed", fmtInt],
  ["tokens_before", "Tokens before", "estimated input tokens as the client sent them", fmtInt],
  ["tokens_after", "Tokens after", "estimated input tokens as sent upstream", fmtInt],
  ["tokens_saved", "Tokens saved", "before − after", fmtInt],
  ["money_saved_usd", "Money saved (USD)", "input cost as the client wrote the requests − as sent, both with the provider's prompt cache, − summary calls (the catalog's prices)", fmtUsd],
  ["summary_tokens", "Summary tokens spent", "tokens the LLM summarizer used (input + output)", fmtInt],
  ["cache_hit_rate", "Provider cache-hit rate", "cached ÷ input tokens the provider reported", fmtPct],
  ["stable_prefix_rate", "Cache-stable prefix rate", "compressed requests that start with the previous request forwarded in their conversation", fmtPct],
];

function fmtInt(v) {
  if (v === null || v === undefined) return "–";
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(1) + "G";
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(1) + "k";
  return String(a >= 10 ? Math.round(v) : Math.round(v * 100) / 100);
}
// The stable-prefix rate, and what it was checked against when that is not every replica
// (memory backend or Redis down: "per replica"; see docs/operations.md).
function fmtStable(r) {
  const scope = r.cache_stable_prefix_scope;
  const v = fmtPct(r.cache_stable_prefix_rate);
  return scope && scope !== "shared" ? v + " (" + scope + ")" : v;
}
function fmtUsd(v) {
  if (v === null || v === undefined) return "–";
  const sign = v < 0 ? "−" : "", a = Math.abs(v);
  return a === 0 ? "$0" : sign + "$" + (a >= 1 ? a.toFixed(2) : Number(a.toPrecision(2)));
}
// Money saved: "price unknown" (never $0) when compressed traffic had no price in the catalog.
function fmtSaved(r) {
  if (r.money_saved_known !== false) return fmtUsd(r.money_saved_usd);
  return r.money_saved_usd ? fmtUsd(r.money_saved_usd) + " + price unknown" : "price unknown";
}
// 1, 2 or 5 × 10^k, at least ``raw`` (a gridline step).
function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
function fmtPct(v) { return v === null || v === undefined ? "–" : (v * 100).toFixed(0) + "%"; }
function fmtMs(v) { return v === null || v === undefined ? "–" : v.toFixed(2) + " ms"; }
function fmtAge(s) {
  if (s === null || s === undefined) return "never";
  if (s < 90) return Math.round(s) + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  if (s < 172800) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}
function clock(t, withSeconds) {
  const d = new Date(t * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return p(d.getHours()) + ":" + p(d.getMinutes()) + (withSeconds ? ":" + p(d.getSeconds()) : "");
}

function el(tag, attrs, text) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// series: [{name, values: [number|null]}], times: [epoch s]
function lineChart(id, times, series, fmt, bucketS) {
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", "data-chart": id, role: "img" });
  const vals = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = Math.max(0, ...vals);
  // counts (fmtInt): whole-number gridlines only, never "0.5 requests"
  const step = fmt === fmtPct ? 0.25 : fmt === fmtInt ? Math.max(1, niceStep(max / 4)) : niceStep(max / 4);
  const top = fmt === fmtPct ? 1 : step * Math.max(1, Math.ceil(max / step));
  const iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b;
  const x = (i) => PAD.l + (times.length > 1 ? (i * iw) / (times.length - 1) : iw / 2);
  const y = (v) => PAD.t + ih - (v / top) * ih;
  for (let v = 0; v <= top + step / 2; v += step) {
    svg.append(el("svg:line", { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: "grid-line" }));
    svg.append(el("svg:text", { x: PAD.l - 6, y: y(v) + 3, "text-anchor": "end", class: "axis-label y-label" }, fmt(v)));
  }
  const ticks = Math.min(5, times.length);
  for (let k = 0; k < ticks; k++) {
    const i = Math.round((k * (times.length - 1)) / Math.max(1, ticks - 1));
    const anchor = k === 0 ? "start" : k === ticks - 1 ? "end" : "middle";
    svg.append(el("svg:text", { x: x(i), y: H - 6, "text-anchor": anchor, class: "axis-label" },
      clock(times[i], bucketS < 60)));
  }
  if (!vals.length) {
    svg.append(el("svg:text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, "no data in this window"));
  }
  series.forEach((s, n) => {
    const color = COLORS[n % COLORS.length];
    let d = "", pen = false;
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      d += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
      pen = true;
    });
    if (d) svg.append(el("svg:path", { d: d.trim(), class: "line", stroke: color, "data-series": s.name }));
    s.values.forEach((v, i) => {
      if (v === null || v === undefined || (v === 0 && fmt !== fmtPct)) return;
      const c = el("svg:circle", { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.6, fill: color, class: "pt" });
      c.append(el("svg:title", {}, `${s.name} ${clock(times[i], true)}: ${fmt(v)}`));
      svg.append(c);
    });
  });
  return svg;
}

function card(id, title, note, times, series, fmt, bucketS) {
  const box = el("div", { class: "chart-card" });
  box.append(el("h4", {}, title), el("p", {}, note), lineChart(id, times, series, fmt, bucketS));
  const legend = el("div", { class: "legend" });
  series.forEach((s, n) => {
    const item = el("span");
    const sw = el("span", { class: "swatch" });
    sw.style.background = COLORS[n % COLORS.length];
    item.append(sw, document.createTextNode(s.name));
    legend.append(item);
  });
  box.append(legend);
  return box;
}

function renderUsage(data, group) {
  const host = document.getElementById("usage-charts");
  const table = data.series[group] || {};
  const keys = Object.keys(table);
  host.replaceChildren(...USAGE_CHARTS.map(([field, title, note, fmt]) =>
    card(field, title, note, data.t, keys.map((k) => ({ name: k || "(none)", values: table[k][field] })), fmt, data.bucket_s)));
  const totals = document.getElementById("totals");
  const rows = data.window[group] || {};  // the window the heading names, not totals since start
  const head = ["", "requests", "compactions", "tokens before", "tokens after", "tokens saved", "USD saved",
    "summary tokens", "cache hit", "stable prefix"];
  const tr = el("tr");
  head.forEach((h, i) => tr.append(el("th", {}, i === 0 ? (group === "agents" ? "agent" : "model") : h)));
  const body = [tr];
  for (const [k, r] of [...Object.entries(rows), ["all", data.window.total]]) {
    if (!r || r.requests === undefined) continue;
    const row = el("tr");
    [k || "(none)", fmtInt(r.requests), fmtInt(r.compactions), fmtInt(r.tokens_before), fmtInt(r.tokens_after),
      fmtInt(r.tokens_saved), fmtSaved(r), fmtInt(r.summary_tokens),
      fmtPct(r.provider_cache_hit_rate), fmtStable(r)].forEach((v) => row.append(el("td", {}, v)));
    body.push(row);
  }
  totals.replaceChildren(...body);
}

function renderProxy(data) {
  const p = data.proxy;
  const cards = document.getElementById("proxy-cards");
  const items = [["in flight now", String(p.in_flight)], ["in flight, peak (window)", fmtInt(p.in_flight_peak)],
    ["requests (window)", fmtInt(p.requests)],
    ["latency added p50", fmtMs(p.latency_added_p50_ms)], ["latency added p99", fmtMs(p.latency_added_p99_ms)],
    ["errors (window)", fmtInt(p.errors)]];
  cards.replaceChildren(...items.map(([k, v]) => {
    const c = el("div", { class: "card" });
    c.append(el("div", { class: "v" }, v), el("div", { class: "k" }, k));
    return c;
  }));
  const s = data.series.proxy;
  const kinds = Object.entries(data.series.errors_by_kind).map(([k, v]) => ({ name: k, values: v }));
  document.getElementById("proxy-charts").replaceChildren(
    card("proxy_requests", "Requests and errors",
      "every request answered on a proxied route, rejected ones too; errors: those the proxy itself raised (among them)",
      data.t, [{ name: "requests", values: s.requests }, { name: "errors", values: s.errors }], fmtInt, data.bucket_s),
    card("latency", "Latency added",
      "time before forwarding (parse, budget, compression): p50 and p99 per bucket of the recorded durations",
      data.t, [{ name: "p50", values: s.latency_added_p50_ms }, { name: "p99", values: s.latency_added_p99_ms }],
      (v) => (v === null || v === undefined ? "–" : v.toFixed(v < 10 ? 2 : 0) + " ms"), data.bucket_s),
    card("in_flight", "In flight", "the most requests being proxied at once in each bucket",
      data.t, [{ name: "in flight", values: s.in_flight }], fmtInt, data.bucket_s),
    card("errors_by_kind", "Errors by kind", "proxy errors per bucket, by kind", data.t, kinds, fmtInt, data.bucket_s),
  );
}

function renderCatalog(cat) {
  const head = ["source", "tier", "models", "age", "failures", "last error", "next refresh"];
  const tr = el("tr");
  head.forEach((h) => tr.append(el("th", {}, h)));
  const rows = [tr];
  for (const s of cat.sources) {
    const row = el("tr");
    row.append(el("td", {}, s.source), el("td", {}, s.tier), el("td", {}, fmtInt(s.models)),
      el("td", {}, fmtAge(s.age_s)), el("td", {}, String(s.failures)),
      el("td", { class: s.last_error ? "bad" : "" }, s.last_error || s.skipped || "–"),
      el("td", {}, s.next_refresh_in_s === null ? "–" : "in " + fmtAge(s.next_refresh_in_s)));
    rows.push(row);
  }
  document.getElementById("sources").replaceChildren(...rows);
  const counts = Object.entries(cat.models_per_provider);
  const max = Math.max(1, ...counts.map(([, n]) => n));
  document.getElementById("providers").replaceChildren(...(counts.length ? counts.map(([name, n]) => {
    const row = el("div", { class: "bar-row" });
    const svg = el("svg:svg", { viewBox: "0 0 200 12", class: "bar", preserveAspectRatio: "none", height: "12" });
    svg.append(el("svg:rect", { x: 0, y: 1, height: 10, width: ((n / max) * 200).toFixed(1), fill: COLORS[0], class: "bar-fill" }));
    row.append(el("span", {}, name), svg, el("span", {}, fmtInt(n)));
    return row;
  }) : [el("p", { class: "hint" }, "no native model lists yet")]));
  document.getElementById("changes").replaceChildren(...(cat.recent_changes.length ? cat.recent_changes.map((c) => {
    const ex = c.examples.length ? " (" + c.examples.join(", ") + ")" : "";
    return el("li", {}, `${c.at} · ${c.sources.join(", ")}: +${c.added} −${c.removed} ~${c.changed}${ex}`);
  }) : [el("li", { class: "hint" }, "no changes recorded")]));
}

async function refresh() {
  const group = document.getElementById("group").value;
  let resp;
  try {
    resp = await fetch("/status.json", { credentials: "same-origin", cache: "no-store" });
  } catch (err) {
    document.getElementById("meta").textContent = "proxy unreachable: " + err.message;
    return;
  }
  if (resp.status === 401) { window.location.assign("/"); return; }
  if (!resp.ok) { document.getElementById("meta").textContent = "status.json answered " + resp.status; return; }
  const data = await resp.json();
  const minutes = (data.bucket_s * data.window_buckets) / 60;
  document.getElementById("meta").textContent =
    `updated ${clock(data.generated_at, true)} · ${data.workers} worker(s) · ` +
    (data.shared_store ? "window shared through Redis" : "window kept in memory");
  document.getElementById("window-hint").textContent =
    `last ${minutes >= 1 ? minutes.toFixed(0) + " min" : (minutes * 60).toFixed(0) + " s"} in ${data.bucket_s} s buckets`;
  renderUsage(data, group);
  renderProxy(data);
  renderCatalog(data.catalog);
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("group").addEventListener("change", refresh);
  refresh();
  setInterval(refresh, REFRESH_MS);
});
