import type { DriftSampleSummary, ShareScope, ValidationRequest } from '@tinymlops/contracts';
import { useMemo, useRef, useState } from 'react';
import { usePermission } from '../../../lib/auth';
import { useSampleDetail } from '../api/get-sample-detail';
import { useDecision, useUndoDecision, type PriorState } from '../api/review-actions';
import { useReviewShortcuts } from './review-shortcuts';
import { SampleCard } from './sample-card';
import { SampleInspector } from './sample-inspector';
import { UndoBar } from './undo-bar';
import { useClassKeys } from './use-class-keys';
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

const plural = (n: number) => `${n} sample${n === 1 ? '' : 's'}`;

/**
 * Review of drift samples (one episode's, or the queue across episodes): grid with focus and bulk
 * selection, inspector, validation bar. A decision on an already validated sample relabels it;
 * the last decision can be undone (button or `u`), which restores each sample's previous label.
 */
export function EpisodeReview(props: {
  samples: DriftSampleSummary[];
  label?: string;
  /** Shown on each card when the samples come from several devices (the queue). */
  deviceNames?: Record<string, string>;
}) {
  const samples = useMemo(
    () => [...props.samples].sort((a, b) => a.capturedAt.localeCompare(b.capturedAt)),
    [props.samples],
  );
  const [focus, setFocus] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const [share, setShare] = useState<ShareChoice>('');
  const [undoable, setUndoable] = useState<PriorState[]>([]);
  const newClass = useRef<HTMLInputElement>(null);
  const validate = useDecision();
  const undo = useUndoDecision();
  const can = usePermission('engineer');
  const focused = samples[Math.min(focus, samples.length - 1)] ?? null;
  const detail = useSampleDetail(focused?.deviceId ?? null, focused?.sampleId ?? null).data;
  const classes = useClassKeys(samples, detail);
  const targets = useMemo(() => {
    const chosen = samples.filter((s) => selected.has(key(s)) && s.status === 'pending');
    if (chosen.length > 0) return chosen;
    // The focused sample alone may be validated already: a decision then relabels it.
    return focused && focused.status !== 'rejected' ? [focused] : [];
  }, [samples, selected, focused]);

  const submit = (decision: ValidationRequest) => {
    if (!can.allowed || targets.length === 0 || validate.isPending) return;
    validate.mutate(
      { targets, validation: withShare(decision, share) },
      {
        onSuccess: ({ response, prior }) => {
          const results = response?.results ?? [];
          const failed = results.length - prior.length;
          const devices = Math.max(0, ...results.map((x) => x.shared?.devices ?? 0));
          const shared = devices ? ` · shared with ${devices} more device${devices === 1 ? '' : 's'}` : '';
          const refused = failed ? ` · ${failed} refused (already validated)` : '';
          const what = decision.decision === 'false-alarm' ? 'a false alarm' : decision.label;
          setMessage({
            tone: failed ? 'bad' : 'ok',
            text: `${prior.length} validated; feedback queued for the device${shared}${refused} · as ${what}.`,
          });
          setUndoable(prior);
          setSelected(new Set());
        },
        onError: (e) => setMessage({ tone: 'bad', text: `Validation failed: ${e.message}` }),
      },
    );
  };
  const takeBack = () => {
    if (undoable.length === 0 || undo.isPending || !can.allowed) return;
    undo.mutate(undoable, {
      onSuccess: (n) => {
        setMessage({ tone: 'ok', text: `Undone: ${plural(n)} back to how they were.` });
        setUndoable([]);
      },
      onError: (e) => setMessage({ tone: 'bad', text: `Undo failed: ${e.message}` }),
    });
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
      undo: takeBack,
    }),
    [samples, focused, classes, targets, can.allowed, validate.isPending, undoable, undo.isPending],
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
        <UndoBar message={message} undoable={undoable} busy={undo.isPending} onUndo={takeBack} />
        <div className="samples" role="list" aria-label={props.label ?? 'Samples of this episode'}>
          {samples.map((s, i) => (
            <div role="listitem" key={key(s)}>
              <SampleCard
                sample={s}
                focused={i === focus}
                checked={selected.has(key(s))}
                deviceName={props.deviceNames?.[s.deviceId]}
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
