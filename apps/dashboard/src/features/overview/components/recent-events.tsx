import type { FleetOverview } from '@tinymlops/contracts';
import { Link } from 'react-router';
import { Pill, type Tone } from '../../../components/pill';
import { timeAgo } from '../../../lib/format-time';

const KIND: Record<FleetOverview['recentEvents'][number]['kind'], { text: string; tone: Tone }> = {
  'drift-start': { text: 'drift started', tone: 'bad' },
  'drift-end': { text: 'drift ended', tone: 'ok' },
  enrolled: { text: 'enrolled', tone: 'info' },
  'package-failed': { text: 'package failed', tone: 'bad' },
  validated: { text: 'validated', tone: 'neutral' },
};

/** The newest things that happened in the fleet. */
export function RecentEvents({ events }: { events: FleetOverview['recentEvents'] }) {
  return (
    <section className="panel" aria-labelledby="events-title">
      <h2 id="events-title">Recent events</h2>
      {events.length === 0 ? (
        <div className="state">
          <strong>Nothing has happened yet</strong>Enrol a device (Settings → enrolment tokens) to see its events here.
        </div>
      ) : (
        <ul className="events">
          {events.map((e, i) => (
            <li key={`${e.at}-${e.kind}-${e.deviceId}-${i}`}>
              <span className="muted" title={e.at}>
                {timeAgo(e.at)}
              </span>
              <span>
                <Pill tone={KIND[e.kind].tone}>{KIND[e.kind].text}</Pill>
              </span>
              <span>
                <Link to={`/devices/${e.deviceId}`} title={e.deviceId}>
                  {e.deviceName ?? e.deviceId}
                </Link>{' '}
                <span className="muted">{e.subject}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
