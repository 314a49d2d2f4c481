/**
 * Progress of a multi-stage job on stderr: one redrawn line on a terminal (at most 10 times a
 * second), or a plain line per quarter of each stage otherwise, so CI logs stay short.
 * @example
 * const p = new StageProgress();
 * p.report('features', 120, 1850);
 * p.finish();
 */
export class StageProgress {
  #stage = '';
  #lastDraw = 0;
  #lastQuarter = -1;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  report(stage: string, done: number, total: number): void {
    if (stage !== this.#stage) {
      if (this.#stage && this.out.isTTY) this.out.write('\n');
      this.#stage = stage;
      this.#lastQuarter = -1;
    }
    const share = total > 0 ? Math.min(1, done / total) : 1;
    if (this.out.isTTY) {
      const now = Date.now();
      if (now - this.#lastDraw < 100 && done < total) return;
      this.#lastDraw = now;
      const filled = Math.round(share * 24);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(24 - filled)}`;
      this.out.write(`\r${stage.padEnd(10)} [${bar}] ${Math.round(share * 100)}% ${done}/${total}\x1b[K`);
      return;
    }
    const quarter = Math.floor(share * 4);
    if (quarter === this.#lastQuarter) return;
    this.#lastQuarter = quarter;
    this.out.write(`${stage}: ${done}/${total}\n`);
  }

  /** Ends the current line on a terminal. */
  finish(): void {
    if (this.#stage && this.out.isTTY) this.out.write('\n');
    this.#stage = '';
  }
}
