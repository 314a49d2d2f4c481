import type { AppContext } from '../../app-context.js';
import { advanceRollouts } from './rollout-engine.js';

/**
 * Steps every running rollout every `rolloutStepMs` (0: never; tests step themselves). Several
 * processes may run it: each rollout's row is locked while it is stepped. A failed step (database
 * away) is logged and tried again next time.
 * @example
 * const s = new RolloutSchedule(ctx, warn); s.start(); … await s.stop();
 */
export class RolloutSchedule {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'now' | 'config'>,
    private readonly warn: (msg: string, err: unknown) => void,
    /** Told after a step that moved or re-measured any rollout (e.g. to publish a live event). */
    private readonly onStepped: () => void = () => {},
  ) {}

  start(): void {
    const every = this.ctx.config.rolloutStepMs;
    if (every <= 0 || this.#timer) return;
    const tick = () => {
      this.#timer = setTimeout(() => {
        this.#running = advanceRollouts(this.ctx)
          .then((outcomes) => [...outcomes.values()].some((o) => o !== 'idle') && this.onStepped())
          .catch((err: unknown) => this.warn('rollout step failed; trying again next time', err))
          .finally(() => this.#timer && tick());
      }, every);
      this.#timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
