import type { DeliveryStatus } from '@tinymlops/contracts';
import { Pill, type Tone } from '../../../components/pill';

const TONE: Record<DeliveryStatus, Tone> = {
  queued: 'warn',
  acknowledged: 'neutral',
  applied: 'ok',
  merged: 'info',
  rejected: 'bad',
  superseded: 'neutral',
};

const MEANING: Record<DeliveryStatus, string> = {
  queued: 'waiting for the device to pull it',
  acknowledged: 'an older device took it but does not say whether it applied it',
  applied: 'the device changed its model as asked',
  merged: 'the device already knew it: nothing changed',
  rejected: 'the device refused it',
  superseded: 'a later item replaced it before the device applied it',
};

/**
 * What a device did with one inbox item, as a coloured label; the device's reason (or what the
 * status means) on hover. Only `applied` says the model changed.
 * @example
 * <DeliveryPill status="rejected" reason="features come from fashion-mnv2@1.0.0; …" />
 */
export function DeliveryPill(props: { status: DeliveryStatus; reason?: string | null }) {
  return (
    <Pill tone={TONE[props.status]} title={props.reason ?? MEANING[props.status]}>
      {props.status}
    </Pill>
  );
}
