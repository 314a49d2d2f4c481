import type { DriftSampleSummary, ShareScope, ValidationRequest } from '@tinymlops/contracts';
import { useMemo, useRef, useState } from 'react';
import { usePermission } from '../../../lib/auth';
import { useSampleDetail } from '../api/get-sample-detail';
import { useValidateSamples } from '../api/validate-samples';
import { useReviewShortcuts } from './review-shortcuts';
import { SampleCard } from './sample-card';
import { SampleInspector } from './sample-inspector';
import { ValidationBar } from './validation-bar';

const key = (s: DriftSampleSummary) => `${s.deviceId}/${s.sampleId}`;

/** Where a label goes besides its device: '' leaves it to the server's fleet-learning policy. */
export type ShareChoice = '' | Exclude<ShareScope['scope'], 'tag'>;

/** The decision with the chosen share scope (false alarms are never shared). */
function withShare(v: ValidationRequest, share: ShareChoice): ValidationRequest {
  return v.decision === 'false-alarm' || share === '' ? v : { ...v, share: { scope: share } };
}
const toggled = (set: Set<string>, k: string) => {
  const n = new Set(set);
  if (n.has(k)) n.delete(k);
  else n.add(k);
  return n;
};

/** Review of one episode's samples: grid with focus and bulk selection, inspector, validation bar. */
export function EpisodeReview(props: { samples: DriftSampleSummary[] }) {
  const samples = useMemo(
    () => [...props.samples].sort((a, b) => a.capturedAt.localeCompare(b.capturedAt)),
    [props.samples],
  );
  const [focus, setFocus] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const [share, setShare] = useState<ShareChoice>('');
  const newClass = useRef<HTMLInputElement>(null);
  const validate = useValidateSamples();
  const can = usePermission('engineer');
  const focused = samples[Math.min(focus, samples.length - 1)] ?? null;
  const detail = useSampleDetail(focused?.deviceId ?? null, focused?.sampleId ?? null).data;
  // Keys 1–9 must mean the same class whichever sample is focused: the episode's own labels
  // (sorted) come first, the focused sample's neighbour labels after them.
  const classes = useMemo(() => {
    const base = [
      ...new Set(samples.flatMap((s) => (s.label ? [s.predictedLabel, s.label] : [s.predictedLabel]))),
    ].sort();
    const extra = (detail?.neighbours ?? []).map((n) => n.label).filter((l) => !base.includes(l));
    return [...base, ...new Set(extra)];
  }, [detail, samples]);
  const targets = useMemo(() => {
    const chosen = samples.filter((s) => selected.has(key(s)) && s.status === 'pending');
    if (chosen.length > 0) return chosen;
    return focused && focused.status === 'pending' ? [focused] : [];
  }, [samples, selected, focused]);

  const submit = (decision: ValidationRequest) => {
    if (!can.allowed || targets.length === 0 || validate.isPending) return;
    const validation = withShare(decision, share);
    const items = targets.map((s) => ({ deviceId: s.deviceId, sampleId: s.sampleId, validation }));
    validate.mutate(
      { items },
      {
        onSuccess: (r) => {
          const ok = r?.results.filter((x) => x.ok).length ?? 0;
          const failed = (r?.results.length ?? 0) - ok;
          const devices = Math.max(0, ...(r?.results ?? []).map((x) => x.shared?.devices ?? 0));
          const shared = devices ? ` · shared with ${devices} more device${devices === 1 ? '' : 's'}` : '';
          setMessage({
            tone: failed ? 'bad' : 'ok',
            text: `${ok} validated; feedback queued for the device${shared}${failed ? ` · ${failed} refused (already validated)` : ''}.`,
          });
          setSelected(new Set());
        },
        onError: (e) => setMessage({ tone: 'bad', text: `Validation failed: ${e.message}` }),
      },
    );
  };
  const keys = useMemo(
    () => ({
      move: (d: number) => setFocus((f) => Math.max(0, Math.min(samples.length - 1, f + d))),
      toggle: () => {
        if (focused?.status === 'pending') setSelected((cur) => toggled(cur, key(focused)));
      },
      selectAll: () => setSelected(new Set(samples.filter((s) => s.status === 'pending').map(key))),
      clear: () => setSelected(new Set()),
      pickClass: (i: number) => {
        const label = classes[i];
        if (label !== undefined) submit({ decision: 'label', label });
      },
      newClass: () => newClass.current?.focus(),
      falseAlarm: () => submit({ decision: 'false-alarm' }),
    }),
    [samples, focused, classes, targets, can.allowed, validate.isPending],
  );
  useReviewShortcuts(keys);

  return (
    <div className="grid" style={{ gridTemplateColumns: 'minmax(0, 3fr) minmax(320px, 2fr)', alignItems: 'start' }}>
      <div className="stack">
        <ValidationBar
          classes={classes}
          targets={targets.length}
          busy={validate.isPending}
          newClassInput={newClass}
          onValidate={submit}
          share={share}
          onShare={setShare}
        />
        {message ? (
          <p className={`notice ${message.tone}`} role="status">
            {message.text}
          </p>
        ) : null}
        <div className="samples" role="list" aria-label="Samples of this episode">
          {samples.map((s, i) => (
            <div role="listitem" key={key(s)}>
              <SampleCard
                sample={s}
                focused={i === focus}
                checked={selected.has(key(s))}
                onFocus={() => setFocus(i)}
                onToggle={() => {
                  setFocus(i);
                  setSelected((cur) => toggled(cur, key(s)));
                }}
              />
            </div>
          ))}
        </div>
      </div>
      <section className="panel" aria-label="Focused sample" style={{ position: 'sticky', top: 16 }}>
        <SampleInspector deviceId={focused?.deviceId ?? null} sampleId={focused?.sampleId ?? null} />
      </section>
    </div>
  );
}
