import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AssignmentRuleList, DeviceListPage, TargetMatch, type DeploymentTarget } from '@tinymlops/contracts';
import { apiGet, apiSend, withQuery } from '../../../lib/api-client';

type Kind = DeploymentTarget['kind'];

/** Every assignment rule with the devices it matches now. */
export function useAssignmentRules() {
  return useQuery({
    queryKey: ['deployment-rules'],
    queryFn: () => apiGet('/api/v1/deployments/rules', AssignmentRuleList),
  });
}

/** How many devices (and which, up to 20) a deploy target would reach; idle while `target` is empty. */
export function useTargetMatch(kind: Kind, target: string) {
  return useQuery({
    queryKey: ['deployment-rules', 'match', kind, target],
    queryFn: () => apiGet(withQuery('/api/v1/deployments/target-match', { kind, target }), TargetMatch),
    enabled: target !== '',
    placeholderData: keepPreviousData,
  });
}

/** The value of a rule's target (device id, tag or group). */
export const targetValue = (t: DeploymentTarget) =>
  t.kind === 'device' ? t.deviceId : t.kind === 'tag' ? t.tag : t.group;

/** Removes a rule; devices it reached fall back to their next matching rule (or keep what they run). */
export function useRemoveRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (t: DeploymentTarget) =>
      apiSend('DELETE', `/api/v1/deployments/rules/${t.kind}/${encodeURIComponent(targetValue(t))}`, undefined, null),
    onSettled: () => Promise.all(['deployment-rules', 'deployments'].map((k) => qc.invalidateQueries({ queryKey: [k] }))),
  });
}

/** Device names by id (the first 500 devices), to show names instead of ids. */
export function useDeviceNames(): Map<string, string> {
  const q = useQuery({
    queryKey: ['device-names'],
    queryFn: () => apiGet('/api/v1/devices?limit=500', DeviceListPage),
    refetchInterval: 60_000,
  });
  return new Map((q.data?.items ?? []).map((d) => [d.deviceId, d.name]));
}
