/**
 * A dependency-free SVG line chart: one panel per metric, one polyline per mode, gaps where a
 * block had no frames of that kind (no held-out frames between the episodes).
 */

/** One line: values per block (null = no frames in that block). */
export interface Series {
  name: string;
  values: (number | null)[];
}

/** One panel of the chart. */
export interface Panel {
  title: string;
  series: Series[];
}

const COLOURS = ['#555555', '#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const W = 760;
const H = 260;
const M = { left: 50, right: 170, top: 30, bottom: 40 };

/**
 * Renders the panels stacked vertically; x is the block's first frame.
 * @example
 * const svg = renderChart([{ title: 'new-class accuracy', series: [{ name: 'oracle', values: [0, 0.9] }] }], 25, [[200, 450]]);
 */
export function renderChart(panels: Panel[], blockSize: number, shaded: [number, number][]): string {
  const body = panels.map((p, i) => panel(p, blockSize, shaded, i * H)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * panels.length}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function panel(p: Panel, blockSize: number, shaded: [number, number][], top: number): string {
  const n = Math.max(...p.series.map((s) => s.values.length));
  const frames = n * blockSize;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (frame: number) => M.left + (frame / frames) * pw;
  const y = (v: number) => top + M.top + (1 - v) * ph;
  const out: string[] = [
    `<text x="${M.left}" y="${top + 18}" font-size="13" font-weight="bold">${esc(p.title)}</text>`,
  ];
  for (const [a, b] of shaded)
    out.push(`<rect x="${x(a)}" y="${y(1)}" width="${x(b) - x(a)}" height="${ph}" fill="#f3e9d2"/>`);
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 100)} %</text>`);
  }
  for (let f = 0; f <= frames; f += 100) {
    out.push(`<text x="${x(f)}" y="${y(0) + 16}" text-anchor="middle">${f}</text>`);
  }
  out.push(
    `<text x="${M.left + pw / 2}" y="${y(0) + 32}" text-anchor="middle">frame (shaded: held-out episodes)</text>`,
  );
  p.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    for (const run of segments(s.values)) {
      const pts = run.map(([j, v]) => `${x((j + 0.5) * blockSize).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
    }
    const ly = top + M.top + 14 * i + 6;
    out.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2.5"/>`,
    );
    out.push(`<text x="${W - M.right + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Consecutive non-null runs as [block index, value] pairs. */
function segments(values: (number | null)[]): [number, number][][] {
  const runs: [number, number][][] = [];
  let cur: [number, number][] = [];
  values.forEach((v, j) => {
    if (v === null) {
      if (cur.length) runs.push(cur);
      cur = [];
    } else cur.push([j, v]);
  });
  if (cur.length) runs.push(cur);
  return runs;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
