import type { ReactNode } from 'react';

/** One big number with a label and a footnote. */
export function StatCard(props: { label: string; value: ReactNode; foot?: ReactNode; children?: ReactNode }) {
  return (
    <section className="panel stat" aria-label={props.label}>
      <span className="stat-label">{props.label}</span>
      <span className="stat-value">{props.value}</span>
      {props.foot ? <span className="stat-foot">{props.foot}</span> : null}
      {props.children}
    </section>
  );
}
