/** What the guide needs to know. */
export interface GuideFacts {
  url: string;
  token: string;
  enrolmentToken: string;
  hasDashboard: boolean;
  /** Time from `npm start` until the URL and the token are printed. */
  readyMs: number;
}

const say = (line = '') => console.log(line);

/**
 * The demo's printed guide: where the server is, the token to log in with, what each device does,
 * how to validate drift samples, and where to watch the devices learn.
 * @example
 * printGuide({ url: 'http://127.0.0.1:8080', token, enrolmentToken: 'demo-open-enrolment', hasDashboard: true, readyMs: 18_000 });
 */
export function printGuide(f: GuideFacts): void {
  const bar = '─'.repeat(78);
  const auth = `-H 'authorization: Bearer ${f.token}'`;
  say(bar);
  if (f.hasDashboard) say(`dashboard         ${f.url}/   (log in with the admin API token; API docs: ${f.url}/docs)`);
  else say(`TinySphere API    ${f.url}/docs   (the web dashboard was not built)`);
  say(`admin API token   ${f.token}`);
  say(`enrolment token   ${f.enrolmentToken}   (open demo token: any device may enrol with it)`);
  say(`ready in          ${(f.readyMs / 1000).toFixed(1)} s`);
  say('devices (~2 fps; every 150 s each drifts for 80 s, the first time ~5 s in):');
  say('  sim-0  bag and ankle boot appear  · server-assisted: learns the labels you validate');
  say('  sim-1  bag and ankle boot appear  · autonomous: makes pseudo-classes on its own, for you to review');
  say('  sim-2  overexposed frames         · monitoring-only: reports drift, never changes its model');
  say('the learning loop, in the dashboard:');
  say('  1. Drift → open an episode of sim-0 → select its samples (x, or a for all) → type "bag"');
  say('     under New class, or press 1–9 for a class; "share with" sends the label to other devices');
  say('  2. Drift → Feedback delivery: each label turns from "queued" to "applied" once sim-0 took it');
  say('     (within a few seconds: the devices sync every 3 s)');
  say('  3. Devices → sim-0 → Adaptations: the labels it applied, the frames it learnt with them, its');
  say('     state versions; the next bag is predicted as "bag" in Recent predictions');
  say('  4. Devices → sim-1 → Adaptations: its pseudo-classes; Relabel one ("bag"), Accept or Revert it');
  say('the same through the API:');
  say(`  curl ${auth} '${f.url}/api/v1/drift/samples?status=pending&limit=5'`);
  say(`  curl ${auth} -H 'content-type: application/json' -d '{"decision":"new-class","label":"bag"}' \\`);
  say(`       ${f.url}/api/v1/drift/samples/<deviceId>/<sampleId>/validation`);
  say(`  curl ${auth} '${f.url}/api/v1/feedback/deliveries?limit=5'      (applied / merged / rejected)`);
  say(`  curl ${auth} '${f.url}/api/v1/adaptations?limit=5'`);
  say(`  curl ${auth} -X PUT -H 'content-type: application/json' -d '{"mode":"autonomous"}' \\`);
  say(`       ${f.url}/api/v1/settings/devices/<deviceId>   (a device's mode, no restart)`);
  say('Ctrl-C stops everything cleanly.');
  say(bar);
}
