'use strict';
// Draws the replay curve of a bench/run.sh result as SVG: seconds and peak
// RSS of `replay`, `replay --no-events` and `check` against trace length.
//
//   node bench/plot_curve.js RESULT.json OUT.svg
//
// Plain SVG written by hand so that the plot needs nothing beyond node; the
// same JSON always gives the same bytes (the README's image is diffable).

const SERIES = [
  { step: 'replay', color: '#1f77b4' },
  { step: 'replay --no-events', color: '#2ca02c' },
  { step: 'check', color: '#d62728' },
];

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// A "nice" axis maximum and step: 1, 2, 2.5 or 5 times a power of ten.
function niceAxis(max) {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * pow).find((s) => s >= raw);
  return { top: Math.ceil(max / step) * step, step };
}

function panel(curve, x0, y0, w, h, title, unit, value) {
  const xs = curve.map((c) => c.events);
  const xAxis = niceAxis(Math.max(...xs));
  const ys = [];
  for (const c of curve) for (const s of SERIES) if (c[s.step]) ys.push(value(c[s.step]));
  const yAxis = niceAxis(Math.max(...ys.filter((v) => v != null)));
  const px = (x) => x0 + (x / xAxis.top) * w;
  const py = (y) => y0 + h - (y / yAxis.top) * h;
  const out = [];
  out.push(`<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  for (let y = 0; y <= yAxis.top + 1e-9; y += yAxis.step) {
    out.push(`<line x1="${x0}" y1="${py(y).toFixed(1)}" x2="${x0 + w}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${+y.toFixed(3)}</text>`);
  }
  for (let x = 0; x <= xAxis.top + 1e-9; x += xAxis.step) {
    out.push(`<line x1="${px(x).toFixed(1)}" y1="${y0 + h}" x2="${px(x).toFixed(1)}" y2="${y0 + h + 4}" stroke="#333"/>`);
    out.push(`<text x="${px(x).toFixed(1)}" y="${y0 + h + 18}" text-anchor="middle">${+(x / 1e6).toFixed(2)}M</text>`);
  }
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h + 36}" text-anchor="middle">events in the trace</text>`);
  out.push(`<text transform="translate(${x0 - 44},${y0 + h / 2}) rotate(-90)" text-anchor="middle">${esc(unit)}</text>`);
  SERIES.forEach((s, i) => {
    const pts = curve.filter((c) => c[s.step] && value(c[s.step]) != null).map((c) => [px(c.events), py(value(c[s.step]))]);
    if (pts.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = y0 + 14 + i * 16;
    out.push(`<line x1="${x0 + 10}" y1="${ly - 4}" x2="${x0 + 28}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${x0 + 32}" y="${ly}">${esc(s.step)}</text>`);
  });
  return out.join('\n');
}

// Returns the SVG text for a result object of bench/run.sh (its `replay`).
function drawCurve(result) {
  const curve = result.replay.curve;
  const node = result.replay.version || `node ${result.replay.node}`;
  const W = 900, H = 380;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">ahtrace replay and check against trace length ` +
      `(bench/run.sh ${esc(result.date.slice(0, 10))}, ${result.machine.cpus} cores, ${esc(node)}, median of ${result.runs})</text>`,
    panel(curve, 80, 60, 330, 250, 'wall time', 'seconds', (f) => (f.seconds ? f.seconds.median : null)),
    panel(curve, 530, 60, 330, 250, 'peak memory', 'peak RSS (MiB)', (f) => (f.rssMiB ? f.rssMiB.median : null)),
    '</svg>',
    '',
  ].join('\n');
}

module.exports = { drawCurve };

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write('usage: node bench/plot_curve.js RESULT.json OUT.svg\n');
    process.exit(2);
  }
  const fs = require('fs');
  fs.writeFileSync(output, drawCurve(JSON.parse(fs.readFileSync(input, 'utf8'))));
}
