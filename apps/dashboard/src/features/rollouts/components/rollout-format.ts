import type { RolloutList, RolloutState, RolloutView } from '@tinymlops/contracts';
import type { Tone } from '../../../components/pill';

type Plan = RolloutView['plan'];

/** The colour of a rollout's state. */
export const STATE_TONE: Record<RolloutState, Tone> = {
  running: 'info',
  paused: 'warn',
  halted: 'bad',
  aborted: 'neutral',
  completed: 'ok',
};

/** `model fashion-mnv2@1.1.0` / `config shelf-cameras@1.0.0`. */
export function deployableLabel(plan: Plan, version: string): string {
  const d = plan.deployable;
  return d.kind === 'model' ? `model ${d.modelId}@${version}` : `config ${d.configId}@${d.version}`;
}

/** `every device` / `tag shelf` / `group lab`. */
export function targetLabel(plan: Plan): string {
  const t = plan.target;
  return t.kind === 'all' ? 'every device' : t.kind === 'tag' ? `tag ${t.tag}` : `group ${t.group}`;
}

/** `1 %`, `3 devices`. */
export function waveLabel(w: Plan['waves'][number]): string {
  return 'devices' in w ? `${w.devices} device${w.devices === 1 ? '' : 's'}` : `${w.percent} %`;
}

/** `wave 2 of 4`. */
export function currentWaveLabel(r: RolloutList['items'][number]): string {
  return `wave ${r.currentWave + 1} of ${r.plan.waves.length}`;
}
