import type { PriorState } from '../api/review-actions';

/** What the last decision did, with the button (and `u` key) that takes it back. */
export function UndoBar(props: {
  message: { tone: 'ok' | 'bad'; text: string } | null;
  undoable: PriorState[];
  busy: boolean;
  onUndo: () => void;
}) {
  if (!props.message) return null;
  return (
    <div className={`notice ${props.message.tone} spread`} role="status">
      <span>{props.message.text}</span>
      {props.undoable.length > 0 ? (
        <button type="button" disabled={props.busy} onClick={props.onUndo}>
          <kbd>u</kbd> Undo
        </button>
      ) : null}
    </div>
  );
}
