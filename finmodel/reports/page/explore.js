/* finmodel explorer: looks the precomputed grid points up and hands them to Vega-Lite.
   Text from the data goes into the page as text (textContent), never as markup. */
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("finmodel-data").textContent);
  const METRICS = ["received", "paid", "net", "npv"];
  const LABELS = { received: "Received", paid: "Paid", net: "Net", npv: "NPV" };
  const BN = 1e9;
  const state = { r: 0, pos: D.readings.map((r) => r.sliders.map((s) => s.at)) };
  const views = {};
  const $ = (id) => document.getElementById(id);

  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function fmtValue(key, v) {
    const leaf = key.split(".").pop();
    if (/rate$/.test(leaf) || leaf === "payout") return +(v * 100).toFixed(4) + "%";
    if (/_bn$/.test(leaf)) return +v.toPrecision(12) + " bn";
    return String(+v.toPrecision(12));
  }

  function pointIndex(r, pos) {
    let i = 0;
    r.sliders.forEach((s, k) => { i = i * s.values.length + pos[k]; });
    return i;
  }

  function metric(r, i, j, m) {
    const v = r.metrics[(i * r.parties.length + j) * METRICS.length + m];
    return v === null ? NaN : v;
  }

  // The baseline at the current values of the sliders it shares with the reading
  // (where it has that value), else at its own values.
  function baselinePoint(r, pos) {
    const b = D.readings[D.baseline];
    const bpos = b.sliders.map((s) => {
      const k = r.sliders.findIndex((t) => t.key === s.key);
      if (k < 0) return s.at;
      const j = s.values.indexOf(r.sliders[k].values[pos[k]]);
      return j < 0 ? s.at : j;
    });
    return { b: b, i: pointIndex(b, bpos) };
  }

  function partyIds(r, b) {
    const ids = r.parties.map((p) => p.id);
    for (const p of b.parties) if (!ids.includes(p.id)) ids.push(p.id);
    return ids;
  }

  // A party as the reading names it, else as the baseline does.
  function partyName(id, r, b) {
    const p = r.parties.find((q) => q.id === id) || b.parties.find((q) => q.id === id);
    return p ? p.name : id;
  }

  function valuesOf(r, i, id) {
    const j = r.parties.findIndex((p) => p.id === id);
    return METRICS.map((m, k) => (j < 0 ? 0 : metric(r, i, j, k)));
  }

  // Everything shown at the current point: rows per party, the reading's and the baseline's.
  function current() {
    const r = D.readings[state.r];
    const pos = state.pos[state.r];
    const i = pointIndex(r, pos);
    const { b, i: bi } = baselinePoint(r, pos);
    const rows = partyIds(r, b).map((id) => {
      const v = valuesOf(r, i, id);
      const w = valuesOf(b, bi, id);
      return { id: id, name: partyName(id, r, b), value: v, baseline: w, change: v.map((x, k) => x - w[k]) };
    });
    return { r: r, pos: pos, i: i, b: b, bi: bi, rows: rows };
  }

  function barsData(c) {
    const out = [];
    const mine = c.r.name, theirs = "baseline: " + c.b.name;
    for (const row of c.rows) {
      METRICS.forEach((m, k) => {
        const ch = row.change[k] / BN;
        out.push({ metric: LABELS[m], party: row.name, which: mine, bn: row.value[k] / BN,
                   label: isFinite(ch) ? "Δ " + (ch >= 0 ? "+" : "") + ch.toFixed(2) : "" });
        out.push({ metric: LABELS[m], party: row.name, which: theirs, bn: row.baseline[k] / BN, label: "" });
      });
    }
    return out;
  }

  function npvData(c) {
    const r = c.r;
    if (!r.sliders.length) return [];
    const out = [];
    const s0 = r.sliders[0];
    s0.values.forEach((x, v) => {
      const pos = c.pos.slice();
      pos[0] = v;
      const i = pointIndex(r, pos);
      r.parties.forEach((p, j) => out.push({ x: x, party: p.name, bn: metric(r, i, j, 3) / BN }));
    });
    return out;
  }

  function cumulativeData(c) {
    const out = [];
    c.r.parties.forEach((p, j) => {
      const s = c.r.series[j];
      const row = s.rows[s.index[c.i]];
      row.forEach((v, k) => out.push({ year: c.r.years[k], party: p.name, bn: v === null ? NaN : v / BN }));
    });
    return out;
  }

  function poolData(c) {
    const p = c.r.pool;
    const row = p.rows[p.index[c.i]];
    const nh = p.holdings.length, out = [];
    p.uses.forEach((u, k) => p.holdings.forEach((h, j) => {
      const v = row[k * nh + j];
      if (v) out.push({ use: u, holding: h, bn: v / BN });
    }));
    p.holdings.forEach((h, j) => {
      const v = row[p.uses.length * nh + j];
      if (v) out.push({ use: "(not allocated)", holding: h, bn: v / BN });
    });
    return out;
  }

  function specs(c) {
    const narrow = window.innerWidth < 760;
    const w = narrow ? Math.max(220, window.innerWidth - 120) : 330;
    const which = [c.r.name, "baseline: " + c.b.name];
    const s0 = c.r.sliders[0];
    const pct = s0 && /(rate|payout)$/.test(s0.key);
    return {
      bars: {
        data: { name: "bars" }, columns: narrow ? 1 : 2,
        facet: { field: "metric", type: "nominal", sort: METRICS.map((m) => LABELS[m]), title: null },
        spec: {
          // narrow: room for the party names (about 170 px) and the change labels beside the bars
          width: narrow ? Math.max(140, window.innerWidth - 300) : 400,
          layer: [
            { mark: "bar", encoding: {
              y: { field: "party", type: "nominal", title: null, sort: null },
              yOffset: { field: "which", sort: which },
              x: { field: "bn", type: "quantitative", title: "USD bn" },
              color: { field: "which", type: "nominal", title: null, legend: { orient: "bottom" },
                       scale: { domain: which, range: ["#0b5cad", "#b8c4cf"] } },
              tooltip: [{ field: "party" }, { field: "which", title: "reading" },
                        { field: "bn", format: ",.3f", title: "USD bn" }] } },
            { mark: { type: "text", fontSize: 10, align: { expr: "datum.bn < 0 ? 'right' : 'left'" },
                      dx: { expr: "datum.bn < 0 ? -3 : 3" } },
              encoding: { y: { field: "party", type: "nominal", sort: null }, yOffset: { field: "which", sort: which },
                          x: { field: "bn", type: "quantitative" }, text: { field: "label" } } },
          ],
        },
        resolve: { scale: { x: "independent" } },
      },
      npv: {
        width: w, height: 260,
        layer: [
          { data: { name: "npv" }, mark: { type: "line", point: true },
            encoding: { x: { field: "x", type: "quantitative", title: s0 ? s0.label : "",
                             axis: { format: pct ? ".1%" : "~g" } },
                        y: { field: "bn", type: "quantitative", title: "NPV, USD bn" },
                        color: { field: "party", type: "nominal", title: null, legend: { orient: "bottom", columns: 2 } },
                        tooltip: [{ field: "party" }, { field: "x", title: s0 ? s0.label : "" },
                                  { field: "bn", format: ",.3f", title: "NPV, USD bn" }] } },
          { data: { name: "here" }, mark: { type: "rule", strokeDash: [4, 3] },
            encoding: { x: { field: "x", type: "quantitative" } } },
        ],
      },
      cumulative: {
        width: w, height: 260, data: { name: "cumulative" }, mark: "line",
        encoding: { x: { field: "year", type: "quantitative", title: "Year", axis: { format: "d" },
                         scale: { zero: false } },
                    y: { field: "bn", type: "quantitative", title: "USD bn, cumulative" },
                    color: { field: "party", type: "nominal", title: null, legend: { orient: "bottom", columns: 2 } },
                    tooltip: [{ field: "party" }, { field: "year", format: ".2f" },
                              { field: "bn", format: ",.3f", title: "USD bn" }] },
      },
      pool: {
        width: narrow ? w : 2 * w + 100, data: { name: "pool" }, mark: "bar",
        encoding: { y: { field: "use", type: "nominal", title: null },
                    x: { field: "bn", type: "quantitative", title: "USD bn", stack: "zero" },
                    color: { field: "holding", type: "nominal", title: "Holding", legend: { orient: "bottom" } },
                    tooltip: [{ field: "use" }, { field: "holding" },
                              { field: "bn", format: ",.3f", title: "USD bn" }] },
      },
    };
  }

  function datasets(c) {
    return { bars: barsData(c), npv: npvData(c),
             here: c.r.sliders.length ? [{ x: c.r.sliders[0].values[c.pos[0]] }] : [],
             cumulative: cumulativeData(c), pool: poolData(c) };
  }

  const CHARTS = { bars: ["bars"], npv: ["npv", "here"], cumulative: ["cumulative"], pool: ["pool"] };

  // Each chart's spec gets its data inline (named, so that a slider move can replace it);
  // a chart with nothing to draw says so instead.
  function withData(spec, data) {
    if (spec.layer && !spec.data) {
      return Object.assign({}, spec, { layer: spec.layer.map((l) => withData(l, data)) });
    }
    return Object.assign({}, spec, { data: { name: spec.data.name, values: data[spec.data.name] } });
  }

  async function embedAll(c) {
    const sp = specs(c), data = datasets(c);
    await Promise.all(Object.keys(CHARTS).map(async (name) => {
      if (views[name]) views[name].finalize();
      delete views[name];
      const box = $("chart-" + name);
      if (!data[CHARTS[name][0]].length) {
        box.replaceChildren(el("p", "Nothing to draw in this reading.", { class: "note muted" }));
        return;
      }
      const res = await vegaEmbed(box, withData(sp[name], data), { actions: false, renderer: "svg" });
      views[name] = res.view;
    }));
  }

  async function updateAll(c) {
    const data = datasets(c);
    await Promise.all(Object.keys(views).map((name) => {
      for (const d of CHARTS[name]) views[name].data(d, data[d]);
      return views[name].runAsync();
    }));
  }

  function fill(c) {
    const msg = c.r.invalid[String(c.i)];
    $("invalid").hidden = !msg;
    $("invalid").textContent = msg ? "A single run rejects this point, so it was not computed: " + msg : "";
    $("reading-description").textContent = c.r.description;
    c.r.sliders.forEach((s, k) => {
      const out = document.querySelector("#slider-" + k + " output");
      if (out) out.textContent = fmtValue(s.key, s.values[c.pos[k]]);
    });
    fillNumbers(c);
    fillPoint(c);
  }

  function fillNumbers(c) {
    const t = $("numbers");
    t.replaceChildren();
    const head = el("tr");
    head.appendChild(el("th", "Party"));
    for (const m of METRICS) { head.appendChild(el("th", LABELS[m])); head.appendChild(el("th", "Δ " + LABELS[m])); }
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    for (const row of c.rows) {
      const tr = el("tr", null, { "data-party": row.id });
      tr.appendChild(el("td", row.name));
      METRICS.forEach((m, k) => {
        tr.appendChild(el("td", fmtBn(row.value[k]), { "data-metric": m }));
        tr.appendChild(el("td", fmtBn(row.change[k], true), { "data-metric": "change_" + m }));
      });
      body.appendChild(tr);
    }
  }

  function fmtBn(v, signed) {
    if (!isFinite(v)) return "–";
    const s = (v / BN).toFixed(3);
    return signed && v >= 0 ? "+" + s : s;
  }

  function tsv(c) {
    const lines = [["party", ...METRICS.map((m) => m + "_usd"), ...METRICS.map((m) => "change_" + m + "_usd")].join("\t")];
    for (const row of c.rows) {
      lines.push([row.id, ...row.value.map((v) => v.toFixed(2)), ...row.change.map((v) => v.toFixed(2))].join("\t"));
    }
    return lines.join("\n");
  }

  function fillPoint(c) {
    const t = $("point");
    t.replaceChildren();
    const tr0 = el("tr");
    tr0.appendChild(el("th", "Input"));
    tr0.appendChild(el("th", "Key path"));
    tr0.appendChild(el("th", "Value here"));
    t.appendChild(tr0);
    c.r.sliders.forEach((s, k) => {
      const tr = el("tr");
      tr.appendChild(el("td", s.label));
      tr.appendChild(el("td", s.key));
      tr.appendChild(el("td", fmtValue(s.key, s.values[c.pos[k]])));
      t.appendChild(tr);
    });
  }

  function fillReading(r) {
    const st = $("statements");
    st.replaceChildren();
    for (const s of r.statements) {
      const li = el("li");
      li.appendChild(el("b", s.statement));
      li.appendChild(document.createTextNode(" " + s.reason));
      st.appendChild(li);
    }
    const src = $("sources");
    src.replaceChildren();
    for (const s of r.sources) {
      const li = el("li");
      li.appendChild(el("code", s.key));
      li.appendChild(document.createTextNode(": "));
      const url = safeUrl(s.url);
      li.appendChild(url ? el("a", s.title, { href: url, rel: "noopener noreferrer" }) : el("span", s.title));
      li.appendChild(document.createTextNode([s.publisher, s.date].filter(Boolean).map((x) => ", " + x).join("")));
      src.appendChild(li);
    }
    const box = $("sliders");
    box.replaceChildren();
    if (!r.sliders.length) box.appendChild(el("p", "This reading has none of the sliders' inputs.", { class: "note" }));
    r.sliders.forEach((s, k) => {
      const div = el("div", null, { class: "slider", id: "slider-" + k });
      const id = "slider-input-" + k;
      const label = el("label", s.label, { for: id });
      label.appendChild(el("output"));
      div.appendChild(label);
      const input = el("input", null, { type: "range", id: id, min: "0", max: String(s.values.length - 1),
                                        step: "1", "data-key": s.key });
      input.value = String(state.pos[state.r][k]);
      input.addEventListener("input", () => { setSlider(k, +input.value); });
      div.appendChild(input);
      box.appendChild(div);
    });
    for (const missing of r.absent) {
      box.appendChild(el("p", missing + ": not in this reading", { class: "slider absent note" }));
    }
    $("first-slider-name").textContent = r.sliders.length ? r.sliders[0].label : "(no slider in this reading)";
  }

  let pending = Promise.resolve();
  function setSlider(k, pos) {
    state.pos[state.r][k] = pos;
    const input = $("slider-input-" + k);
    if (input && +input.value !== pos) input.value = String(pos);
    const c = current();
    fill(c);
    pending = pending.then(() => updateAll(c)).catch((e) => console.error(e));
    return pending;
  }

  async function setReading(index) {
    state.r = index;
    $("reading").value = String(index);
    const c = current();
    fillReading(c.r);
    fill(c);
    pending = pending.then(() => embedAll(c)).catch((e) => console.error(e));
    return pending;
  }

  function start() {
    $("baseline-name").textContent = D.readings[D.baseline].name;
    const sel = $("reading");
    D.readings.forEach((r, i) => sel.appendChild(el("option", r.name + " — " + r.description, { value: String(i) })));
    sel.addEventListener("change", () => { setReading(+sel.value); });
    $("copy").addEventListener("click", async () => {
      const text = tsv(current());
      try { await navigator.clipboard.writeText(text); $("copied").textContent = "copied"; }
      catch (e) { $("copied").textContent = "select the table and copy it (the browser keeps the clipboard closed)"; }
    });
    window.finmodelExplorer = {
      setReading: (name) => setReading(D.readings.findIndex((r) => r.name === name)),
      setSlider: setSlider,
      idle: () => pending,
      copied: () => tsv(current()),
      state: () => ({ reading: D.readings[state.r].name, pos: state.pos[state.r].slice() }),
    };
    const first = D.readings.length > 1 && D.baseline === 0 ? 1 : 0;
    setReading(first).then(() => { window.finmodelReady = performance.now(); });
  }

  start();
})();
