import { Link } from 'react-router';

/** Unknown dashboard path. */
export function NotFoundRoute() {
  return (
    <div className="state">
      <strong>There is no page here</strong>
      <Link to="/">Go to the overview</Link>
    </div>
  );
}
