/**
 * A one-line progress bar on stderr. On a terminal it redraws in place (at most 10 times a
 * second); otherwise (CI logs, pipes) it prints a plain line every 10 %, so logs stay readable.
 * @example
 * const bar = new ProgressBar(600);
 * bar.update(300, 'acked 12');
 * bar.done();
 */
export class ProgressBar {
  #lastDraw = 0;
  #lastDecile = -1;

  constructor(
    readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, note = ''): void {
    const now = Date.now();
    if (this.out.isTTY) {
      if (now - this.#lastDraw < 100 && done < this.total) return;
      this.#lastDraw = now;
      this.out.write(`\r${this.line(done, note)}\x1b[K`);
      return;
    }
    const decile = Number.isFinite(this.total) ? Math.floor((10 * done) / this.total) : Math.floor(done / 200);
    if (decile === this.#lastDecile) return;
    this.#lastDecile = decile;
    this.out.write(`${this.line(done, note)}\n`);
  }

  /** Ends the bar's line (a terminal's cursor would otherwise stay on it). */
  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }

  private line(done: number, note: string): string {
    if (!Number.isFinite(this.total)) return `frames ${done}${note ? ` · ${note}` : ''}`;
    const width = 30;
    const share = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(share * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    return `${bar} ${String(Math.round(100 * share)).padStart(3)}% ${done}/${this.total} frames${note ? ` · ${note}` : ''}`;
  }
}
