/**
 * Breaks a time series where the device was not running: a gap much longer than the usual
 * spacing (5× the median, at least two minutes) or a sequence number that went backwards (the
 * device program restarted). A null point is put in each gap, which uPlot draws as a break
 * instead of a line across the outage.
 * @example
 * const { xs, ys, gaps } = withGaps([0, 30, 60, 900], [[1, 2, 3, 4]]); // gaps === 1
 */
export function withGaps(
  xs: number[],
  ys: (number | null)[][],
  seqs?: number[],
): { xs: number[]; ys: (number | null)[][]; gaps: number } {
  const steps = xs.slice(1).map((x, i) => x - (xs[i] as number));
  const median = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? 0;
  const limit = Math.max(120, 5 * median);
  const outX: number[] = [];
  const outY: (number | null)[][] = ys.map(() => []);
  let gaps = 0;
  xs.forEach((x, i) => {
    const prev = xs[i - 1];
    const restarted = seqs !== undefined && i > 0 && (seqs[i] as number) < (seqs[i - 1] as number);
    if (prev !== undefined && (x - prev > limit || restarted)) {
      outX.push((prev + x) / 2);
      for (const o of outY) o.push(null);
      gaps++;
    }
    outX.push(x);
    ys.forEach((y, k) => outY[k]?.push(y[i] ?? null));
  });
  return { xs: outX, ys: outY, gaps };
}
