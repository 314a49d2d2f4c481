import type { ReactNode } from 'react';

/** The title row of a page, with an optional description and actions on the right. */
export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.description ? <p>{props.description}</p> : null}
      </div>
      {props.actions ? <div className="row">{props.actions}</div> : null}
    </header>
  );
}
