/* cairn dashboard (docs/dashboard.md). Plain JS, no build step.
 *
 * Loads a bounded, downsampled series (GET /v1/metrics/series, at most
 * POINTS points) and pages every table; then polls every POLL_MS for new
 * epochs and blocks only. After each render it writes what every chart
 * plots into <script id="chart-data"> (exact base-unit integers, with the
 * /v1/metrics field each series comes from), and sets
 * document.body.dataset.ready = "1" once the first full load is done, so
 * that a test can check the charts without looking at pixels. */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var POINTS = 500;
  var PAGE = 20;
  var BLOCKS = 8;
  var UNITS = 1e6; /* base units per CRN */
  var EPOCH_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                     10000, 20000, 50000, 100000, 200000, 500000, 1000000];
  var COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f"];

  var state = {
    sectors: [],     /* registry sector names, from the metrics */
    points: [],      /* series points, oldest first */
    bucket: 1,       /* epochs per point */
    latest: null,    /* last settled epoch */
    tip: null,       /* tip height */
    blocks: [],      /* latest block summaries, newest first */
    price: [],       /* [epoch, price units] sampled by polling */
    charts: {},      /* uPlot instances by chart id */
    prov: { sector: "", after: [""], page: 0 },
    lastFull: 0      /* when the whole series was last fetched (ms) */
  };

  function $(id) { return document.getElementById(id); }

  function getJSON(path) {
    return fetch(path, { cache: "no-store" }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(path + ": " + (j.message || r.status));
        return j;
      });
    });
  }

  /* A dotted field path ("fees_by_destination.burn_units") of an object. */
  function pick(o, path) {
    var parts = path.split(".");
    for (var i = 0; i < parts.length && o != null; i++) o = o[parts[i]];
    return o;
  }

  function text(el, s) { el.textContent = s; return el; }
  function td(tr, s, cls) {
    var c = document.createElement("td");
    c.textContent = s;
    if (cls) c.className = cls;
    tr.appendChild(c);
    return c;
  }
  function short(a) { return a && a.length > 20 ? a.slice(0, 12) + "…" + a.slice(-6) : a; }
  function tokens(units) { return Number(units) / UNITS; }
  function mb(bytes) {
    return bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : bytes >= 1e3 ? (bytes / 1e3).toFixed(1) + " kB" : bytes + " B";
  }

  /* ---- chart definitions: each series names its /v1/metrics field ---- */

  function chartDefs() {
    var s = state.sectors;
    function perSector(base, amount) {
      return s.map(function (name) {
        return { label: name, field: base + "." + name + (amount ? "_units" : "") };
      });
    }
    return [
      { id: "providers", series: perSector("active_providers", false) },
      { id: "usage", series: perSector("work_units", false) },
      { id: "revenue", amount: true, series: [
        { label: "revenue", field: "revenue_units" },
        { label: "to providers", field: "fees_by_destination.providers_units" },
        { label: "burned", field: "fees_by_destination.burn_units" },
        { label: "to treasury", field: "fees_by_destination.treasury_units" },
        { label: "to stakers", field: "fees_by_destination.stakers_units" }] },
      { id: "supply", amount: true, series: [
        { label: "emitted", field: "emitted_units" },
        { label: "burned", field: "burned_units" },
        { label: "net supply change", field: "net_supply_change_units" }] },
      { id: "circulating", series: [
        { label: "circulating (CRN)", field: "circulating_units", amount: true },
        { label: "staked ratio (%)", field: "staked_ratio_bps", scale: "pct",
          conv: function (v) { return Number(v) / 100; } }] },
      { id: "velocity", series: [
        { label: "velocity", field: "velocity_bps",
          conv: function (v) { return Number(v) / 10000; } }] },
      { id: "credits", series: [
        { label: "credits bought", field: "credits_bought" }] }
    ];
  }

  function valueOf(p, field) {
    var v = pick(p, field);
    return v == null ? "0" : String(v);
  }

  /* ---- charts ---- */

  function ensureChart(id, series, data) {
    var el = $("chart-" + id);
    var width = Math.max(280, (el.clientWidth || 460) - 8);
    var c = state.charts[id];
    if (c && c._n === series.length) {
      c.setData(data);
      if (Math.abs(c.width - width) > 4) c.setSize({ width: width, height: 200 });
      return;
    }
    if (c) c.destroy();
    var scales = { x: { time: false } };
    var fmt = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 4 });
    var ticks = function (u, splits) { return splits.map(function (v) { return fmt.format(v); }); };
    var axes = [{ label: "epoch", incrs: EPOCH_STEPS },
                { size: 78, values: ticks }];
    var useR = series.some(function (d) { return d.scale === "pct"; });
    if (useR) {
      scales.pct = { auto: true };
      axes.push({ scale: "pct", side: 1, size: 50, grid: { show: false }, values: ticks });
    }
    var opts = {
      width: width, height: 200,
      scales: scales, axes: axes,
      legend: { live: false },
      series: [{ label: "epoch" }].concat(series.map(function (d, i) {
        return { label: d.label, stroke: COLORS[i % COLORS.length],
                 scale: d.scale || "y", width: 1.5,
                 points: { show: data[0].length < 60 } };
      }))
    };
    c = new uPlot(opts, data, el);
    c._n = series.length;
    state.charts[id] = c;
  }

  function renderCharts() {
    var pts = state.points;
    var epochs = pts.map(function (p) { return p.epoch; });
    var out = {};
    chartDefs().forEach(function (def) {
      var rec = { epochs: epochs, first_epochs: pts.map(function (p) { return p.first_epoch; }),
                  bucket_epochs: state.bucket, series: [] };
      var data = [epochs];
      def.series.forEach(function (s) {
        var raw = pts.map(function (p) { return valueOf(p, s.field); });
        rec.series.push({ label: s.label, field: s.field, values: raw });
        var conv = s.conv || ((def.amount || s.amount) ? tokens : Number);
        data.push(raw.map(function (v) { return conv(v); }));
      });
      out[def.id] = rec;
      if (typeof uPlot !== "undefined") ensureChart(def.id, def.series, data);
    });
    /* the price feed: what polling saw, one sample per epoch */
    var px = state.price;
    out.price = { epochs: px.map(function (p) { return p[0]; }), bucket_epochs: 1,
                  series: [{ label: "price", field: "/v1/price price_units",
                             values: px.map(function (p) { return p[1]; }) }] };
    if (typeof uPlot !== "undefined")
      ensureChart("price", [{ label: "price" }],
                  [out.price.epochs, px.map(function (p) { return tokens(p[1]); })]);
    out._meta = { latest_epoch: state.latest, bucket_epochs: state.bucket,
                  points: pts.length, sectors: state.sectors };
    $("chart-data").textContent = JSON.stringify(out);
    var note = state.bucket > 1 ? "(each point sums " + state.bucket + " epochs; stocks at its last epoch)" : "";
    text($("bucket-note"), note);
  }

  /* ---- summary and sector panels ---- */

  function renderSummary() {
    var p = state.points[state.points.length - 1];
    var el = $("summary");
    el.innerHTML = "";
    var items = [["tip height", state.tip], ["last settled epoch", state.latest]];
    if (p) {
      items.push(["supply", p.supply + " CRN"], ["circulating", p.circulating + " CRN"],
                 ["staked ratio", (p.staked_ratio_bps / 100).toFixed(2) + " %"],
                 ["velocity", p.velocity]);
    }
    items.forEach(function (it) {
      var d = document.createElement("div");
      d.className = "kv";
      var b = document.createElement("b");
      b.textContent = it[1] == null ? "–" : String(it[1]);
      var s = document.createElement("span");
      s.textContent = it[0];
      d.appendChild(b); d.appendChild(s);
      el.appendChild(d);
    });
  }

  function panelBody(sector) { return $("panel-" + sector).querySelector(".body"); }

  /* key/value rows into a panel; extra: a table element or null */
  function fillPanel(sector, rows, extra) {
    var body = panelBody(sector);
    body.innerHTML = "";
    var dl = document.createElement("dl");
    rows.forEach(function (r) {
      var dt = document.createElement("dt"); dt.textContent = r[0];
      var dd = document.createElement("dd"); dd.textContent = String(r[1]);
      dl.appendChild(dt); dl.appendChild(dd);
    });
    body.appendChild(dl);
    if (extra) body.appendChild(extra);
  }

  function sectorRows(name) {
    var p = state.points[state.points.length - 1];
    if (!p) return [["epochs settled", 0]];
    return [["staked providers", pick(p, "staked_providers." + name)],
            ["active providers", pick(p, "active_providers." + name)],
            ["work units (last point)", pick(p, "work_units." + name)],
            ["revenue (last point)", pick(p, "revenue_by_sector." + name) + " CRN"],
            ["emitted (last point)", pick(p, "emitted_by_sector." + name) + " CRN"]];
  }

  function smallTable(head, rows) {
    var t = document.createElement("table");
    var tr = document.createElement("tr");
    head.forEach(function (h) { var th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = document.createElement("tr");
      r.forEach(function (v) { td(row, v); });
      t.appendChild(row);
    });
    return t;
  }

  function storagePanel() {
    return getJSON("/v1/storage/providers?limit=5").then(function (sp) {
      var provs = sp.providers || [];
      return Promise.all(provs.map(function (pr) {
        return Promise.all([
          getJSON("/v1/deals?provider=" + pr.address + "&limit=100").catch(function () { return { deals: [] }; }),
          getJSON("/v1/storage/challenges?provider=" + pr.address + "&limit=1000").catch(function () { return { challenges: [] }; })
        ]).then(function (r) {
          var deals = r[0].deals || [], ch = r[1].challenges || [];
          var active = deals.filter(function (d) { return d.state === "active"; }).length;
          var proven = ch.filter(function (c) { return c.proven; }).length;
          var bytes = deals.reduce(function (a, d) { return a + (d.state === "active" ? d.size : 0); }, 0);
          return [pr.address.slice(0, 9) + "…" + pr.address.slice(-4),
                  active + (r[0].more ? "+" : "") + " · " + mb(bytes), proven + " / " + ch.length];
        });
      })).then(function (rows) {
        fillPanel("storage", sectorRows("storage").concat([["providers listed", provs.length + (sp.more ? "+" : "")]]),
                  rows.length ? smallTable(["provider", "files (deals) · size", "proofs this epoch"], rows) : null);
      });
    });
  }

  function computePanel() {
    return Promise.all([
      getJSON("/v1/compute/leases?state=open").catch(function () { return { leases: [] }; }),
      getJSON("/v1/compute/subnets").catch(function () { return { subnets: [] }; })
    ]).then(function (r) {
      var subnets = r[1].subnets || [];
      fillPanel("compute", sectorRows("compute").concat([
        ["open orders", (r[0].leases || []).length + (r[0].more ? "+" : "")],
        ["subnets", subnets.map(function (s) { return s.name; }).join(", ") || "none"]]), null);
    });
  }

  function wirelessPanel() {
    var ep = state.latest;
    return Promise.all([
      getJSON("/v1/wireless/hotspots?limit=100").catch(function () { return { hotspots: [] }; }),
      ep == null ? Promise.resolve({}) : getJSON("/v1/wireless/epoch/" + ep).catch(function () { return {}; })
    ]).then(function (r) {
      var rows = sectorRows("wireless").concat([
        ["hotspots", (r[0].hotspots || []).length + (r[0].more ? "+" : "")]]);
      Object.keys(r[1]).slice(0, 6).forEach(function (k) {
        if (typeof r[1][k] !== "object") rows.push(["epoch " + ep + " " + k, r[1][k]]);
      });
      fillPanel("wireless", rows, null);
    });
  }

  function sensorPanel() {
    var ep = state.latest;
    return Promise.all([
      getJSON("/v1/sensor/tiles?limit=100").catch(function () { return { tiles: [] }; }),
      ep == null ? Promise.resolve({}) : getJSON("/v1/sensor/epoch/" + ep).catch(function () { return {}; })
    ]).then(function (r) {
      var e = r[1];
      var rows = sectorRows("sensor").concat([
        ["tiles mapped", (r[0].tiles || []).length + (r[0].more ? "+" : "")]]);
      ["batches", "tiles_agreed", "map_reads", "access_paid"].forEach(function (k) {
        if (e[k] != null) rows.push(["epoch " + ep + " " + k, e[k]]);
      });
      fillPanel("sensor", rows, null);
    });
  }

  function renderPanels() {
    return Promise.all([storagePanel(), computePanel(), wirelessPanel(), sensorPanel()]
      .map(function (p) { return p.catch(function (e) { console.warn(e); }); }));
  }

  /* ---- providers table (paged) ---- */

  function loadProviders() {
    var pv = state.prov;
    var after = pv.after[pv.page];
    var q = "/v1/providers?limit=" + PAGE + (pv.sector ? "&sector=" + pv.sector : "") +
            (after ? "&after=" + after : "");
    var rewards = state.latest == null ? Promise.resolve({ rewards: [] }) :
      getJSON("/v1/rewards?epoch=" + state.latest + "&limit=1000" + (after ? "&after=" + after : ""))
        .catch(function () { return { rewards: [] }; });
    return Promise.all([getJSON(q), rewards]).then(function (r) {
      var list = r[0].providers || [], byAddr = {};
      (r[1].rewards || []).forEach(function (w) { byAddr[w.provider] = w; });
      var tb = $("providers").querySelector("tbody");
      tb.innerHTML = "";
      list.forEach(function (p) {
        var w = byAddr[p.address];
        var tr = document.createElement("tr");
        td(tr, short(p.address)).title = p.address;
        td(tr, p.sector);
        td(tr, p.self_stake, "num");
        td(tr, p.delegated, "num");
        td(tr, w ? w.work_units : "0", "num");
        td(tr, w ? w.reward : "0", "num");
        td(tr, p.reward, "num");
        td(tr, p.jailed ? "jailed" : p.active ? "active" : "inactive");
        tb.appendChild(tr);
      });
      pv.next = r[0].next;
      $("prov-next").disabled = !r[0].next;
      text($("prov-note"), "page " + (pv.page + 1) + (list.length ? "" : " (no providers)"));
      $("providers").dataset.rows = String(list.length);
    });
  }

  function setupProviders() {
    var sel = $("prov-sector");
    [""].concat(state.sectors).forEach(function (s) {
      var o = document.createElement("option");
      o.value = s; o.textContent = s || "all";
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () {
      state.prov = { sector: sel.value, after: [""], page: 0 };
      loadProviders();
    });
    $("prov-first").addEventListener("click", function () {
      state.prov.page = 0; state.prov.after = [""];
      loadProviders();
    });
    $("prov-next").addEventListener("click", function () {
      if (!state.prov.next) return;
      state.prov.after.push(state.prov.next);
      state.prov.page++;
      loadProviders();
    });
  }

  /* ---- latest blocks: only the heights not yet shown ---- */

  function loadBlocks() {
    var tip = state.tip, have = state.blocks.length ? state.blocks[0].height : -1;
    var want = [];
    for (var h = tip; h >= 0 && h > have && want.length < BLOCKS; h--) want.push(h);
    return Promise.all(want.map(function (h) { return getJSON("/v1/block/" + h); }))
      .then(function (bs) {
        var fresh = bs.map(function (b) {
          return { height: b.height, hash: b.hash, txs: b.tx_count, time: b.time_ms };
        });
        state.blocks = fresh.concat(state.blocks).slice(0, BLOCKS);
        var tb = $("blocks").querySelector("tbody");
        tb.innerHTML = "";
        state.blocks.forEach(function (b) {
          var tr = document.createElement("tr");
          td(tr, b.height, "num");
          td(tr, short(b.hash)).title = b.hash;
          td(tr, b.txs, "num");
          td(tr, new Date(b.time).toISOString().replace("T", " ").slice(0, 19));
          tb.appendChild(tr);
        });
        $("blocks").dataset.tip = String(tip);
      });
  }

  /* ---- series ---- */

  function loadSeries() {
    return getJSON("/v1/metrics/series?points=" + POINTS).then(function (s) {
      state.points = s.points || [];
      state.bucket = s.bucket_epochs || 1;
      state.latest = s.latest_epoch;
      state.lastFull = Date.now();
      if (!state.sectors.length) {
        var p = state.points[0];
        if (p) state.sectors = Object.keys(p.active_providers);
      }
    });
  }

  /* New settled epochs only: appended when each point is one epoch; a
   * downsampled series is fetched again at most every 10 s. */
  function pollSeries() {
    var since = state.latest == null ? 0 : state.latest + 1;
    return getJSON("/v1/metrics?from=" + since).then(function (m) {
      var fresh = m.epochs || [];
      if (!fresh.length) return false;
      if (state.bucket === 1 && state.points.length + fresh.length <= POINTS) {
        fresh.forEach(function (e) { e.first_epoch = e.epoch; e.epochs = 1; });
        state.points = state.points.concat(fresh);
        state.latest = m.latest_epoch;
        if (!state.sectors.length) state.sectors = Object.keys(fresh[0].active_providers);
        return true;
      }
      if (Date.now() - state.lastFull < 10000) return false;
      return loadSeries().then(function () { return true; });
    });
  }

  function samplePrice() {
    return getJSON("/v1/price").then(function (p) {
      if (p.price == null) return;
      var last = state.price[state.price.length - 1];
      if (last && last[0] === p.epoch) last[1] = p.price_units;
      else state.price.push([p.epoch, p.price_units]);
      if (state.price.length > POINTS) state.price.shift();
    }).catch(function () {});
  }

  function status() {
    return getJSON("/v1/status").then(function (s) {
      state.tip = s.height;
      text($("status"), s.chain_id + " · " + s.mode + " · height " + s.height +
           (state.latest != null ? " · epoch " + state.latest + " settled" : ""));
    });
  }

  function showError(e) {
    text($("status"), "cannot reach the node: " + e.message);
  }

  var polling = false;
  function poll() {
    if (polling) return;
    polling = true;
    var oldTip = state.tip, oldLatest = state.latest;
    status().then(function () {
      return Promise.all([pollSeries(), samplePrice(),
                          state.tip !== oldTip ? loadBlocks() : null]);
    }).then(function (r) {
      if (r[0] || state.latest !== oldLatest) {
        renderCharts();
        renderSummary();
        return Promise.all([renderPanels(), loadProviders()]);
      }
      renderCharts(); /* the price may have moved */
    }).catch(showError).then(function () { polling = false; });
  }

  function start() {
    status()
      .then(function () { return Promise.all([loadSeries(), samplePrice()]); })
      .then(function () {
        if (!state.sectors.length) state.sectors = ["storage", "compute", "wireless", "sensor"];
        setupProviders();
        renderCharts();
        renderSummary();
        return Promise.all([loadBlocks(), renderPanels(), loadProviders()]);
      })
      .then(function () { document.body.dataset.ready = "1"; })
      .catch(showError)
      .then(function () { setInterval(poll, POLL_MS); });
    window.addEventListener("resize", function () { renderCharts(); });
  }

  start();
})();
