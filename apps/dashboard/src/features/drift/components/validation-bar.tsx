import type { ValidationRequest } from '@tinymlops/contracts';
import { useState, type RefObject } from 'react';
import { usePermission } from '../../../lib/auth';
import type { ShareChoice } from './episode-review';

/**
 * Decision controls for the selected samples: a known class (keys 1–9), a new class name (n,
 * suggesting every class people used before), or a false alarm (f). Disabled, with the reason
 * shown, for roles that may not validate.
 */
export function ValidationBar(props: {
  classes: string[];
  targets: number;
  busy: boolean;
  newClassInput: RefObject<HTMLInputElement | null>;
  onValidate: (v: ValidationRequest) => void;
  share: ShareChoice;
  onShare: (s: ShareChoice) => void;
}) {
  const can = usePermission('engineer');
  const [name, setName] = useState('');
  const off = !can.allowed || props.busy || props.targets === 0;
  const what = props.targets === 1 ? '1 sample' : `${props.targets} samples`;
  return (
    <section className="panel stack" aria-label="Validate selected samples" style={{ gap: 10 }}>
      <div className="spread">
        <h2 style={{ margin: 0 }}>Validate {props.targets ? what : '— select samples first'}</h2>
        <span className="muted small">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · <kbd>a</kbd> all pending · <kbd>Esc</kbd> clear ·{' '}
          <kbd>u</kbd> undo
        </span>
      </div>
      {!can.allowed ? <p className="notice">{can.reason}</p> : null}
      <div className="row">
        <span className="muted small">Known class:</span>
        {props.classes.slice(0, 9).map((c, i) => (
          <button key={c} disabled={off} onClick={() => props.onValidate({ decision: 'label', label: c })}>
            <kbd>{i + 1}</kbd> {c}
          </button>
        ))}
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) props.onValidate({ decision: 'new-class', label: name.trim() });
          setName('');
        }}
      >
        <label className="inline">
          <span>
            New class <kbd>n</kbd>
          </span>
          <input
            ref={props.newClassInput}
            value={name}
            onChange={(e) => setName(e.target.value)}
            disabled={off}
            placeholder="e.g. sneaker-worn"
            maxLength={64}
            list="known-classes"
          />
          <datalist id="known-classes">
            {props.classes.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </label>
        <button type="submit" disabled={off || !name.trim()}>
          Add as new class
        </button>
        <button
          type="button"
          className="danger"
          disabled={off}
          onClick={() => props.onValidate({ decision: 'false-alarm' })}
        >
          <kbd>f</kbd> False alarm
        </button>
      </form>
      <label className="inline small" title="Only the features and the label travel, never the image">
        Share labels with
        <select value={props.share} onChange={(e) => props.onShare(e.target.value as ShareChoice)}>
          <option value="">the server's policy</option>
          <option value="device">this device only</option>
          <option value="group">its group (same model)</option>
          <option value="fleet">the whole fleet (same model)</option>
        </select>
      </label>
    </section>
  );
}
