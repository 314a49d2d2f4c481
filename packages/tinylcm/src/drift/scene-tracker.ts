/**
 * Tells a new scene from another frame of the same one. A camera shows one scene for many frames,
 * and those frames are one observation, not many: a detector that counts each of them piles up
 * evidence from a single unusual scene (41 false alarms per 10⁴ frames with each image held 1–5
 * frames, docs/drift.md). A frame starts a new scene when its feature vector is farther than
 * `change × scale` (euclidean) from the first frame of the current scene, so sensor noise and
 * flicker stay within a scene and a slow change (lighting drifting) still starts a new scene once
 * it has gone far enough. With fashion-mnv2 and `scale` the reference mean neighbour distance,
 * change 0.8 kept 99 % of pairs of sensor readings of one image together and split 99 % of pairs of
 * different images (`npx tsx bench/drift-scene-change.ts`). O(d) per frame, no allocation after
 * the first frame.
 * @example
 * const scenes = new SceneTracker(0.8);
 * const seen = [[0, 0], [0.5, 0], [0.9, 0], [10, 0], [10, 0.2]].map((f) => scenes.observe(f, 1));
 * console.log(seen.join(' '), scenes.scenes);
 * // => true false true true false 3
 */
export class SceneTracker {
  #anchor: Float64Array = new Float64Array(0);
  #scenes = 0;

  /** @param change The distance, in units of `scale`, that makes a new scene. */
  constructor(readonly change: number) {}

  /** Scenes started so far. */
  get scenes(): number {
    return this.#scenes;
  }

  /**
   * True when `features` start a new scene (always for the first frame, and when `features` is
   * missing, so a caller without features gets one observation per frame). `scale` is the unit of
   * `change`, e.g. the reference mean neighbour distance.
   */
  observe(features: ArrayLike<number> | undefined, scale: number): boolean {
    if (!features || features.length === 0) return true;
    const limit = (this.change * scale) ** 2;
    const a = this.#anchor;
    let far = a.length !== features.length || !(limit > 0);
    for (let i = 0, d2 = 0; !far && i < a.length; i++) {
      const diff = features[i]! - a[i]!;
      d2 += diff * diff;
      far = d2 > limit;
    }
    if (!far) return false;
    if (a.length !== features.length) this.#anchor = new Float64Array(features.length);
    this.#anchor.set(features);
    this.#scenes++;
    return true;
  }

  /** Forgets the current scene: the next frame starts a new one. */
  reset(): void {
    this.#anchor = new Float64Array(0);
  }
}
