import { PageHeader } from '../../components/page-header';
import { PermissionNote } from '../../components/permission-note';
import { QueryState } from '../../components/query-state';
import { useAccessTokens } from '../../features/settings/api/get-access-tokens';
import { ApiTokens } from '../../features/settings/components/api-tokens';
import { EnrolmentTokens } from '../../features/settings/components/enrolment-tokens';
import { usePermission } from '../../lib/auth';

/** API tokens (people, scripts) and enrolment tokens (devices); admins only. */
export function SettingsRoute() {
  const can = usePermission('admin');
  const tokens = useAccessTokens(can.allowed);
  return (
    <>
      <PageHeader
        title="Settings"
        description="Access to this TinySphere: API tokens for people, enrolment tokens for devices."
      />
      {can.allowed ? (
        <QueryState query={tokens}>
          {(t) => (
            <div className="grid cols-2" style={{ alignItems: 'start' }}>
              <ApiTokens tokens={t.apiTokens} />
              <EnrolmentTokens tokens={t.enrolmentTokens} />
            </div>
          )}
        </QueryState>
      ) : (
        <PermissionNote role="admin" />
      )}
    </>
  );
}
