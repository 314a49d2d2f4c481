import { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  color: string;
  /** Draw points only (for sparse or categorical data). */
  points?: boolean;
  fill?: boolean;
}

/** A shaded time range (seconds since epoch), e.g. a drift episode; `to` null = still open. */
export interface ChartBand {
  from: number;
  to: number | null;
}

/** A horizontal reference line (e.g. a detector's threshold), dashed, in the y scale's units. */
export interface ChartLine {
  value: number;
  color: string;
}

/** Without a hover, the legend shows the newest values instead of "--". */
function showLatest(u: uPlot): void {
  const n = u.data[0]?.length ?? 0;
  if (u.cursor.idx == null && n > 0) u.setLegend({ idx: n - 1 }, false);
}

function drawBands(u: uPlot, bands: ChartBand[]): void {
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = 'rgba(209, 69, 59, 0.10)';
  for (const b of bands) {
    const x0 = u.valToPos(b.from, 'x', true);
    const x1 = u.valToPos(b.to ?? u.scales.x?.max ?? b.from, 'x', true);
    ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
  }
  ctx.restore();
}

function drawLines(u: uPlot, lines: ChartLine[]): void {
  const ctx = u.ctx;
  ctx.save();
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1.5;
  for (const l of lines) {
    const y = u.valToPos(l.value, 'y', true);
    ctx.strokeStyle = l.color;
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * A time-series chart on uPlot (canvas; stays smooth at 10k+ points). `data` is
 * `[xs (epoch seconds), ...ys]`, one ys per series; a null breaks the line (a gap). The legend
 * shows the values under the cursor, else the newest ones.
 */
export function TimeChart(props: {
  data: uPlot.AlignedData;
  series: ChartSeries[];
  bands?: ChartBand[];
  lines?: ChartLine[];
  height?: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const bands = useRef<ChartBand[]>(props.bands ?? []);
  bands.current = props.bands ?? [];
  const lines = useRef<ChartLine[]>(props.lines ?? []);
  lines.current = props.lines ?? [];
  const shape = props.series.map((s) => s.label).join('|');

  // A layout effect: the chart is drawn in the same frame as the page around it, not one paint later.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: props.height ?? 200,
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: true },
        // The y range always includes the reference lines, so a threshold never falls off the chart.
        y: {
          range: (_u, min, max) => {
            const ls = lines.current.map((l) => l.value);
            const lo = Math.min(min, ...ls);
            const hi = Math.max(max, ...ls);
            const pad = (hi - lo) * 0.08 || 1;
            return [lo - pad, hi + pad];
          },
        },
      },
      axes: [
        { stroke: '#5f6b7a', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e3e7ed' } },
        { stroke: '#5f6b7a', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e3e7ed' }, size: 56 },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          ...(s.fill ? { fill: `${s.color}22` } : {}),
          ...(s.points
            ? { paths: () => null, points: { show: true, size: 4, fill: s.color } }
            : { points: { show: false } }),
        })),
      ],
      hooks: {
        drawClear: [(u) => drawBands(u, bands.current)],
        draw: [(u) => drawLines(u, lines.current)],
        ready: [showLatest],
        setData: [showLatest],
        setCursor: [showLatest],
      },
    };
    const u = new uPlot(opts, props.data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: props.height ?? 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuild only when the set of series changes; data updates go through setData below.
  }, [shape, props.height]);

  useEffect(() => {
    // A chart just built already has this data: drawing it again would only cost time.
    if (plot.current && plot.current.data !== props.data) plot.current.setData(props.data);
  }, [props.data]);

  return <div ref={box} className="chart" role="img" aria-label={props.label} />;
}
