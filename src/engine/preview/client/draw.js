// Draws the preview's panels from the data embedded in the page (script#o11y-data), with uPlot; runs in the
// browser, inlined into each page by page.ts. Every text from a dashboard or a server goes in as textContent.
(() => {
  "use strict";
  const source = document.getElementById("o11y-data");
  const data = source ? JSON.parse(source.textContent || "{}") : {};
  const panels = data.panels || {};

  // Grafana's classic series palette.
  const palette = [
    "#7eb26d",
    "#eab839",
    "#6ed0e0",
    "#ef843c",
    "#e24d42",
    "#1f78c1",
    "#ba43a9",
    "#705da0",
    "#508642",
    "#cca300",
  ];
  const namedColors = {
    green: "#73bf69",
    red: "#f2495c",
    orange: "#ff9830",
    yellow: "#fade2a",
    blue: "#5794f2",
    purple: "#b877d9",
    transparent: "rgba(0,0,0,0)",
    text: "#ccccdc",
  };
  /** A Grafana colour (`green`, `dark-red`, `#ff0000`, `rgba(...)`) as CSS; page.ts made it safe already. */
  const color = (name) => {
    if (!name) return namedColors.green;
    if (/^(#|rgb)/.test(name)) return name;
    const base = name.replace(/^(super-light|light|semi-dark|dark)-/, "");
    return namedColors[base] || namedColors.green;
  };

  const trim = (value, digits) => {
    const fixed = Number(value.toFixed(digits));
    return String(fixed);
  };
  const decimalsFor = (value, decimals) => {
    if (typeof decimals === "number") return decimals;
    const abs = Math.abs(value);
    if (abs === 0 || abs >= 100) return 0;
    if (abs >= 10) return 1;
    if (abs >= 1) return 2;
    return Math.min(6, 2 - Math.floor(Math.log10(abs)));
  };
  const scaled = (value, base, suffixes, decimals) => {
    let i = 0;
    let v = value;
    while (Math.abs(v) >= base && i < suffixes.length - 1) {
      v /= base;
      i++;
    }
    return `${trim(v, decimalsFor(v, decimals))}${suffixes[i]}`;
  };
  const duration = (seconds, decimals) => {
    const abs = Math.abs(seconds);
    if (abs === 0) return "0 s";
    if (abs < 1e-6) return `${trim(seconds * 1e9, decimalsFor(seconds * 1e9, decimals))} ns`;
    if (abs < 1e-3) return `${trim(seconds * 1e6, decimalsFor(seconds * 1e6, decimals))} µs`;
    if (abs < 1) return `${trim(seconds * 1e3, decimalsFor(seconds * 1e3, decimals))} ms`;
    if (abs < 60) return `${trim(seconds, decimalsFor(seconds, decimals))} s`;
    if (abs < 3600) return `${trim(seconds / 60, decimalsFor(seconds / 60, decimals))} min`;
    if (abs < 86400) return `${trim(seconds / 3600, decimalsFor(seconds / 3600, decimals))} hour`;
    return `${trim(seconds / 86400, decimalsFor(seconds / 86400, decimals))} day`;
  };
  const rates = {
    reqps: " req/s",
    ops: " ops/s",
    cps: " c/s",
    mps: " m/s",
    rps: " rd/s",
    wps: " wr/s",
    iops: " io/s",
  };
  /** A value in a Grafana unit, as Grafana would write it (the common units; others get the unit's id). */
  const format = (value, unit, decimals) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return "–";
    const short = (v) => scaled(v, 1000, ["", " K", " Mil", " Bil", " Tri"], decimals);
    switch (unit) {
      case "percentunit":
        return `${trim(value * 100, decimalsFor(value * 100, decimals))}%`;
      case "percent":
        return `${trim(value, decimalsFor(value, decimals))}%`;
      case "s":
        return duration(value, decimals);
      case "ms":
        return duration(value / 1000, decimals);
      case "µs":
        return duration(value / 1e6, decimals);
      case "ns":
        return duration(value / 1e9, decimals);
      case "bytes":
        return scaled(value, 1024, [" B", " KiB", " MiB", " GiB", " TiB", " PiB"], decimals);
      case "decbytes":
        return scaled(value, 1000, [" B", " kB", " MB", " GB", " TB", " PB"], decimals);
      case "Bps":
        return scaled(value, 1024, [" B/s", " KiB/s", " MiB/s", " GiB/s", " TiB/s"], decimals);
      case "bool":
        return value === 0 ? "False" : "True";
      case "currencyUSD":
        return `$${short(value)}`;
      case undefined:
      case null:
      case "":
      case "none":
      case "short":
        return short(value);
      default:
        return unit in rates ? `${short(value)}${rates[unit]}` : `${short(value)} ${unit}`;
    }
  };

  /** The colour of the threshold step `value` falls in. */
  const stepColor = (panel, value) => {
    let chosen = "green";
    for (const step of panel.thresholds || [])
      if (step.value === null || value >= step.value) chosen = step.color;
    return color(chosen);
  };

  const allSeries = (panel) => (panel.queries || []).flatMap((q) => q.series || []);

  /** Every series on one time axis: uPlot's [times, values1, values2, ...], nulls where a series has no point. */
  const aligned = (series) => {
    const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const columns = series.map((s) => {
      const column = new Array(times.length).fill(null);
      for (const [t, v] of s.points) column[index.get(t)] = v;
      return column;
    });
    return [times, ...columns];
  };

  const axisStyle = {
    stroke: "#ccccdc",
    grid: { stroke: "rgba(204,204,220,0.12)", width: 1 },
    ticks: { stroke: "rgba(204,204,220,0.12)", width: 1 },
    font: "11px sans-serif",
  };

  /** Dashed lines at the thresholds, as Grafana draws them on a time series. */
  const thresholdLines = (panel) => (u) => {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    for (const step of panel.thresholds || []) {
      if (step.value === null) continue;
      const y = u.valToPos(step.value, "y", true);
      if (!(y >= top && y <= top + height)) continue;
      ctx.save();
      ctx.strokeStyle = color(step.color);
      ctx.lineWidth = 1;
      ctx.setLineDash([6, 6]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.restore();
    }
  };

  // The y axis as wide as its longest label.
  const measure = document.createElement("canvas").getContext("2d");
  const axisWidth = (u, values) => {
    if (!values) return 40;
    measure.font = axisStyle.font;
    return Math.ceil(Math.max(0, ...values.map((v) => measure.measureText(v).width))) + 18;
  };

  const utc = (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");

  function legend(container, series) {
    const list = document.createElement("ul");
    list.className = "legend";
    series.forEach((s, i) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = palette[i % palette.length];
      item.append(swatch, document.createTextNode(s.name || " "));
      list.append(item);
    });
    container.append(list);
    return list;
  }

  function timeseries(body, panel) {
    const series = allSeries(panel);
    const list = series.length > 1 || body.clientHeight > 160 ? legend(body, series) : undefined;
    const height = Math.max(40, body.clientHeight - (list ? list.offsetHeight + 4 : 0));
    const plot = document.createElement("div");
    plot.className = "plot";
    body.prepend(plot);
    const values = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v !== null);
    // A fixed end (min or max) with the data's own range for the other; never an empty range (all values at the min).
    let range;
    if (panel.min !== undefined || panel.max !== undefined) {
      const low = panel.min ?? Math.min(...values, panel.max);
      let high = panel.max ?? Math.max(low, ...values);
      if (high <= low) high = low + (Math.abs(low) || 1);
      range = [low, high];
    }
    new uPlot(
      {
        width: body.clientWidth,
        height,
        legend: { show: false },
        cursor: { show: false },
        tzDate: utc,
        scales: { x: { time: true }, y: range ? { range: () => range } : {} },
        axes: [
          { ...axisStyle },
          {
            ...axisStyle,
            size: axisWidth,
            // A boolean axis names its two values only.
            values: (u, ticks) =>
              ticks.map((t) =>
                panel.unit === "bool" && t !== 0 && t !== 1 ? "" : format(t, panel.unit, panel.decimals),
              ),
          },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.name,
            stroke: palette[i % palette.length],
            width: 1.5,
            points: { show: false },
          })),
        ],
        hooks: { draw: [thresholdLines(panel)] },
      },
      aligned(series),
      plot,
    );
  }

  function stat(body, panel) {
    const series = allSeries(panel);
    const last = (s) => {
      for (let i = s.points.length - 1; i >= 0; i--) if (s.points[i][1] !== null) return s.points[i][1];
      return null;
    };
    const value = series.length ? last(series[0]) : null;
    const shown = document.createElement("div");
    shown.className = "stat-value";
    shown.textContent = format(value, panel.unit, panel.decimals);
    if (value !== null) shown.style.color = stepColor(panel, value);
    body.append(shown);
    const points = series.length ? series[0].points : [];
    if (panel.type !== "stat" || panel.graphMode === "none" || points.length < 2) return;
    const spark = document.createElement("div");
    spark.className = "sparkline";
    body.prepend(spark);
    const stroke = value === null ? palette[0] : stepColor(panel, value);
    new uPlot(
      {
        width: body.clientWidth,
        height: Math.max(20, body.clientHeight),
        legend: { show: false },
        cursor: { show: false },
        tzDate: utc,
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true } },
        series: [{}, { stroke, width: 1, fill: "rgba(120,120,140,0.15)", points: { show: false } }],
      },
      aligned([series[0]]),
      spark,
    );
  }

  function table(body, panel) {
    const rows = allSeries(panel);
    const labels = [
      ...new Set(rows.flatMap((s) => Object.keys(s.labels).filter((k) => k !== "__name__"))),
    ].sort();
    const tableElement = document.createElement("table");
    const head = tableElement.createTHead().insertRow();
    for (const name of [...labels, "Value"]) {
      const cell = document.createElement("th");
      cell.textContent = name;
      head.append(cell);
    }
    const tbody = tableElement.createTBody();
    const lastValue = (s) => (s.points.length ? s.points[s.points.length - 1][1] : null);
    for (const s of [...rows].sort((a, b) => (lastValue(b) ?? -Infinity) - (lastValue(a) ?? -Infinity))) {
      const row = tbody.insertRow();
      for (const name of labels) row.insertCell().textContent = s.labels[name] ?? "";
      const cell = row.insertCell();
      cell.textContent = format(lastValue(s), panel.unit, panel.decimals);
      cell.className = "number";
    }
    body.append(tableElement);
  }

  /** Buckets (`le`) per time step, each cell the bucket's own count (the cumulative counts taken apart). */
  function heatmap(body, panel) {
    const series = allSeries(panel)
      .map((s) => ({ ...s, le: Number(s.labels.le === "+Inf" ? Infinity : s.labels.le) }))
      .filter((s) => !Number.isNaN(s.le))
      .sort((a, b) => a.le - b.le);
    const [times, ...columns] = aligned(series);
    const cells = columns.map((column, b) =>
      column.map((v, t) => (v === null ? null : Math.max(0, v - (b > 0 ? (columns[b - 1][t] ?? 0) : 0)))),
    );
    const top = Math.max(0, ...cells.flat().filter((v) => v !== null));
    const canvas = document.createElement("canvas");
    const labelWidth = 60;
    canvas.width = body.clientWidth;
    canvas.height = Math.max(20, body.clientHeight - 4);
    body.append(canvas);
    const ctx = canvas.getContext("2d");
    const width = (canvas.width - labelWidth) / Math.max(1, times.length);
    const height = canvas.height / Math.max(1, cells.length);
    ctx.font = "10px sans-serif";
    cells.forEach((row, b) => {
      const y = canvas.height - (b + 1) * height;
      ctx.fillStyle = "#ccccdc";
      if (height >= 10)
        ctx.fillText(
          series[b].le === Infinity ? "+Inf" : format(series[b].le, panel.unit),
          2,
          y + height / 2 + 3,
        );
      row.forEach((v, t) => {
        if (v === null || top === 0) return;
        ctx.fillStyle = `rgba(255,152,48,${(0.1 + 0.9 * Math.sqrt(v / top)).toFixed(3)})`;
        ctx.fillRect(labelWidth + t * width, y, Math.max(1, width - 1), Math.max(1, height - 1));
      });
    });
  }

  const drawers = { timeseries, graph: timeseries, stat, gauge: stat, bargauge: stat, table, heatmap };

  function draw(element) {
    if (element.dataset.drawn) return;
    const panel = panels[element.dataset.key];
    const body = element.querySelector(".panel-body");
    if (!panel || !body || !allSeries(panel).length) return;
    const drawer = drawers[panel.type];
    if (!drawer || body.clientWidth === 0) return;
    element.dataset.drawn = "yes";
    drawer(body, panel);
  }

  const drawVisible = () => document.querySelectorAll("article.panel[data-key]").forEach(draw);
  // A row opened later: its panels are drawn once they have a size.
  document.querySelectorAll("details.row").forEach((row) => row.addEventListener("toggle", drawVisible));
  drawVisible();
  document.documentElement.dataset.drawn = "yes";
})();
