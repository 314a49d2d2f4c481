/**
 * `npx tsx bench/drift-mix-bound.ts [--draws 1000000] [--within 15]`: can any detector find the
 * gradual class mix of the real drift streams (bench/real-scenarios.ts) within 15 frames?
 *
 * In that scenario an episode's frames are drawn as `scenarioStream` draws them: with probability
 * p(t) = 0.9 · t / 150 from trouser or sandal, else from the eight known classes uniformly. Given its
 * class, an image is drawn exactly as before the drift, so the class sequence is a sufficient
 * statistic: no detector that sees the images can do better than the best test on the true classes.
 * That test (Neyman–Pearson: the likelihood ratio of "ramp started at frame 0" against "no drift",
 * told the onset, which no detector is) sees frames 0 … within − 1 and is given a false-alarm
 * probability per decision α. A device deciding once per frame (independent streams) or once per
 * scene (correlated: each image held 1–30 frames, uniform) with ≤ 1 false alarm per 10⁴ frames has
 * α ≈ 10⁻⁴ or ≈ 1/645; the table also shows much looser α. The median delay over episodes is
 * ≤ `within` only if the power is ≥ 50 %.
 */
import { Prng } from '@tinymlops/tinylcm';

const HELP = `Usage: npx tsx bench/drift-mix-bound.ts [--draws N] [--within F]
  --draws N    Monte Carlo draws per hypothesis (default 1000000)
  --within F   frames after the onset the detector may use (default 15)`;

const KNOWN_SHARE = 2 / 8;
const RAMP = 150;

/** Probability that ramp frame `t` shows trouser or sandal. */
function mixShare(t: number): number {
  const p = 0.9 * Math.min(1, t / RAMP);
  return p + (1 - p) * KNOWN_SHARE;
}

/** Log-likelihood-ratio weight of a trouser/sandal frame (`hit`) at ramp frame `t`. */
function weight(t: number, hit: boolean): number {
  const q = mixShare(t);
  return hit ? Math.log(q / KNOWN_SHARE) : Math.log((1 - q) / (1 - KNOWN_SHARE));
}

/** Frames at which a new scene starts within `within` frames: every frame, or held 1–30 frames. */
function sceneStarts(within: number, held: boolean, rng: Prng): number[] {
  if (!held) return Array.from({ length: within }, (_, t) => t);
  const starts: number[] = [];
  for (let t = 0; t < within; t += 1 + rng.nextInt(30)) starts.push(t);
  return starts;
}

/** Likelihood-ratio statistics of `draws` episodes, under no drift (`drift` false) or the ramp. */
function statistics(draws: number, within: number, held: boolean, drift: boolean, rng: Prng): Float64Array {
  const out = new Float64Array(draws);
  for (let d = 0; d < draws; d++) {
    let s = 0;
    for (const t of sceneStarts(within, held, rng)) {
      s += weight(t, rng.next() < (drift ? mixShare(t) : KNOWN_SHARE));
    }
    out[d] = s;
  }
  return out;
}

/**
 * Power of the randomised test of size α: reject above the threshold, and at it with the probability
 * that makes the no-drift rejection rate exactly α (the statistic is discrete; this is the most any
 * test on it can get).
 */
function power(noDrift: Float64Array, ramp: Float64Array, alpha: number): number {
  const sorted = Float64Array.from(noDrift).sort();
  const threshold = sorted[Math.min(sorted.length - 1, Math.floor((1 - alpha) * sorted.length))]!;
  const above = (xs: Float64Array) => xs.filter((s) => s > threshold).length / xs.length;
  const at = (xs: Float64Array) => xs.filter((s) => s === threshold).length / xs.length;
  const gamma = Math.min(1, Math.max(0, (alpha - above(noDrift)) / Math.max(at(noDrift), 1e-12)));
  return above(ramp) + gamma * at(ramp);
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} wants a positive integer`);
  return value;
}

if (process.argv.includes('--help')) {
  console.log(HELP);
  process.exit(0);
}
const draws = option('--draws', 1_000_000);
const within = option('--within', 15);
const alphas = [1e-4, 1 / 645, 1e-2, 5e-2];
console.log(`| stream | ${alphas.map((a) => `power at α = ${a.toPrecision(2)}`).join(' | ')} |`);
console.log(`|---|${alphas.map(() => '---:').join('|')}|`);
for (const held of [false, true]) {
  const rng = new Prng(held ? 2 : 1);
  const noDrift = statistics(draws, within, held, false, rng);
  const ramp = statistics(draws, within, held, true, rng);
  const cells = alphas.map((a) => `${(power(noDrift, ramp, a) * 100).toFixed(1)} %`);
  console.log(`| ${held ? 'correlated (held 1–30)' : 'independent'} | ${cells.join(' | ')} |`);
}
