import { TinyMLOpsError, OPERATIONAL_MODES, type OperationalMode } from '@tinymlops/contracts';

/** Which adaptation machinery runs in a mode. */
export interface ModePolicy {
  readonly mode: OperationalMode;
  /** Drift-flagged samples are kept in the quarantine buffer. */
  readonly quarantinesDrift: boolean;
  /** The heuristic adapter may create pseudo-classes and reinforce classes on its own. */
  readonly runsHeuristic: boolean;
  /** Server-validated labels are applied to the KNN. */
  readonly appliesFeedback: boolean;
  /** The guard watches adaptations and rolls degraded ones back. */
  readonly guards: boolean;
}

/**
 * The three operational modes of DESIGN §1 as data:
 * - `monitoring-only`: infer, detect and report drift; never changes the model (nothing is
 *   quarantined, no adapter runs, feedback is ignored).
 * - `autonomous`: additionally adapts on device with heuristic pseudo-labels, guarded by the
 *   rollback guard. Server feedback, when a server is configured, is applied as a correction
 *   (that is how a rejected pseudo-label gets undone); the device never waits for it.
 * - `server-assisted`: adapts only with labels validated on the server; no heuristic, so no
 *   pseudo-class ever appears; drift samples are quarantined so feedback can find them.
 * @example
 * if (modePolicy(config.mode).runsHeuristic) heuristic.run(ctx);
 */
export const MODE_POLICIES: Readonly<Record<OperationalMode, ModePolicy>> = Object.freeze({
  'monitoring-only': policy('monitoring-only', false, false, false, false),
  autonomous: policy('autonomous', true, true, true, true),
  'server-assisted': policy('server-assisted', true, false, true, false),
});

/**
 * The policy of a mode; throws `INVALID_OPTION` for anything else.
 * @example
 * modePolicy('monitoring-only').appliesFeedback; // false
 */
export function modePolicy(mode: string): ModePolicy {
  if (!(OPERATIONAL_MODES as readonly string[]).includes(mode)) {
    throw new TinyMLOpsError('INVALID_OPTION', `mode must be one of ${OPERATIONAL_MODES.join(', ')}, got "${mode}"`);
  }
  return MODE_POLICIES[mode as OperationalMode];
}

function policy(
  mode: OperationalMode,
  quarantinesDrift: boolean,
  runsHeuristic: boolean,
  appliesFeedback: boolean,
  guards: boolean,
): ModePolicy {
  return Object.freeze({ mode, quarantinesDrift, runsHeuristic, appliesFeedback, guards });
}
