import type { ApiRole } from '@tinymlops/contracts';
import { usePermission } from '../lib/auth';

/** Explains, next to disabled controls, why this role cannot use them. Renders nothing when allowed. */
export function PermissionNote(props: { role: ApiRole }) {
  const can = usePermission(props.role);
  if (can.allowed) return null;
  return (
    <p className="notice" role="note">
      {can.reason}
    </p>
  );
}
