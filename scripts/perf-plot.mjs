// Draws docs/images/performance.svg from the figures `npm run bench` writes
// (test-results/bench/figures.json): full-analysis time against the number of rules, on
// log–log axes, for the three shapes the bench measures. Plain SVG, no dependencies.
//
//   node scripts/perf-plot.mjs [figures.json] [out.svg]

import { readFileSync, writeFileSync } from 'node:fs';

const input = process.argv[2] ?? 'test-results/bench/figures.json';
const output = process.argv[3] ?? 'docs/images/performance.svg';
const figures = JSON.parse(readFileSync(input, 'utf8'));

const SERIES = [
  { key: 'total', label: 'many firewalls of 200 rules (the file grows)', colour: '#1f77b4', dash: '' },
  { key: 'perFirewall', label: 'one firewall of regular rules (it grows)', colour: '#2ca02c', dash: '6 4' },
  { key: 'overlapping', label: 'one firewall of random overlapping rules (worst case)', colour: '#d62728', dash: '' },
];

const W = 720;
const H = 440;
const M = { left: 84, right: 24, top: 48, bottom: 112 };
const pw = W - M.left - M.right;
const ph = H - M.top - M.bottom;

const points = SERIES.flatMap((s) => figures.series[s.key] ?? []);
if (points.length === 0) throw new Error(`${input} holds no series`);
const log = Math.log10;
const xMin = 10 ** Math.floor(log(Math.min(...points.map((p) => p[0]))));
const xMax = 10 ** Math.ceil(log(Math.max(...points.map((p) => p[0]))));
const yMin = 10 ** Math.floor(log(Math.min(...points.map((p) => p[1]))));
// Up to the next 1, 2 or 5 × 10^k above the slowest figure, and at least 2 s (the 1 s line shows).
const top = Math.max(...points.map((p) => p[1]), 1500);
const yMax = [1, 2, 5, 10].map((k) => k * 10 ** Math.floor(log(top))).find((v) => v >= top);
const x = (v) => M.left + ((log(v) - log(xMin)) / (log(xMax) - log(xMin))) * pw;
const y = (v) => M.top + ph - ((log(v) - log(yMin)) / (log(yMax) - log(yMin))) * ph;
const num = (v) => v.toLocaleString('en');
const ms = (v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`);
const f = (v) => v.toFixed(1);

const out = [];
const desc = SERIES.filter((s) => figures.series[s.key]?.length)
  .map((s) => `${s.label}: ${figures.series[s.key].map(([n, t]) => `${num(n)} rules ${Math.round(t)} ms`).join(', ')}`)
  .join('; ');
out.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="t d" font-family="sans-serif" font-size="12">`,
  `<title id="t">fwlang: full analysis time against the number of rules</title>`,
  `<desc id="d">Log–log plot, node ${figures.node}. ${desc}.</desc>`,
  `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" fill="#222">Full analysis (every diagnostic, flows simulated) against rules</text>`,
);
// Grid and ticks: powers of ten, with 2 and 5 between them.
for (let d = xMin; d <= xMax; d *= 10) {
  for (const k of [1, 2, 5]) {
    const v = d * k;
    if (v > xMax) break;
    const major = k === 1;
    out.push(`<line x1="${f(x(v))}" y1="${M.top}" x2="${f(x(v))}" y2="${M.top + ph}" stroke="${major ? '#ccc' : '#eee'}"/>`);
    out.push(`<text x="${f(x(v))}" y="${M.top + ph + 18}" text-anchor="middle" fill="#444">${num(v)}</text>`);
  }
}
for (let d = yMin; d <= yMax; d *= 10) {
  for (const k of [1, 2, 5]) {
    const v = d * k;
    if (v > yMax) break;
    const major = k === 1;
    out.push(`<line x1="${M.left}" y1="${f(y(v))}" x2="${M.left + pw}" y2="${f(y(v))}" stroke="${major ? '#ccc' : '#eee'}"/>`);
    out.push(`<text x="${M.left - 8}" y="${f(y(v) + 4)}" text-anchor="end" fill="#444">${ms(v)}</text>`);
  }
}
out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
out.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 40}" text-anchor="middle" fill="#222">rules (log scale)</text>`);
out.push(
  `<text x="16" y="${M.top + ph / 2}" text-anchor="middle" fill="#222" transform="rotate(-90 16 ${M.top + ph / 2})">analysis time (log scale)</text>`,
);
// The 1 s line: the target of the worst case.
out.push(`<line x1="${M.left}" y1="${f(y(1000))}" x2="${M.left + pw}" y2="${f(y(1000))}" stroke="#d62728" stroke-dasharray="2 3"/>`);
out.push(
  `<text x="${M.left + pw - 4}" y="${f(y(1000) - 5)}" text-anchor="end" fill="#d62728">1 s: target for 2,000 overlapping rules</text>`,
);
// The series, then the legend.
SERIES.forEach((s, i) => {
  const pts = figures.series[s.key] ?? [];
  if (pts.length > 0) {
    const path = pts.map(([n, t]) => `${f(x(n))},${f(y(t))}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${s.colour}" stroke-width="2" stroke-dasharray="${s.dash}"/>`);
    for (const [n, t] of pts) {
      out.push(
        `<circle cx="${f(x(n))}" cy="${f(y(t))}" r="3.5" fill="${s.colour}"><title>${num(n)} rules: ${Math.round(t)} ms</title></circle>`,
      );
    }
  }
  const ly = M.top + ph + 60 + i * 17;
  out.push(
    `<line x1="${M.left}" y1="${ly - 4}" x2="${M.left + 28}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2" stroke-dasharray="${s.dash}"/>`,
  );
  out.push(`<text x="${M.left + 36}" y="${ly}" fill="#222">${s.label}</text>`);
});
out.push('</svg>');
writeFileSync(output, out.join('\n') + '\n');
console.log(`wrote ${output}`);
