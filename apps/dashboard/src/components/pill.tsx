import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'info';

/** A small coloured status label. */
export function Pill(props: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`pill ${props.tone}`} title={props.title}>
      {props.children}
    </span>
  );
}
