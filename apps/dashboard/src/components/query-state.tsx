import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api-client';

/** Loading, error and empty states that say what to do next; renders `children(data)` otherwise. */
export function QueryState<T>(props: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: { title: string; hint: ReactNode };
  children: (data: T) => ReactNode;
}) {
  const { query } = props;
  if (query.isPending) {
    return (
      <div className="state" role="status" aria-live="polite">
        Loading…
      </div>
    );
  }
  if (query.isError) {
    const e = query.error;
    const hint =
      e instanceof ApiError && e.status === 403
        ? 'Your token does not have access to this. Ask an admin for a token with a stronger role.'
        : 'It will retry on its own; if this persists, check the TinySphere server log.';
    return (
      <div className="state error" role="alert">
        <strong>Could not load this: {e.message}</strong>
        {hint}
      </div>
    );
  }
  if (props.isEmpty?.(query.data) && props.empty) {
    return (
      <div className="state">
        <strong>{props.empty.title}</strong>
        {props.empty.hint}
      </div>
    );
  }
  return <>{props.children(query.data)}</>;
}
