// Starts a TinySphere on PGlite with the browser tests' seeded fleet and prints its URL and tokens
// (for looking at the dashboard by hand): `npx tsx apps/dashboard/e2e/serve-seeded.ts [port]`.
import { migrate } from '../../tinysphere/src/storage/migrate.js';
import { openDatabase } from '../../tinysphere/src/storage/open-database.js';
import { startTestServer } from '../../tinysphere/src/testing/test-server.js';
import { seedFleet } from './seed-fleet.js';
import { seedModel } from './seed-model.js';

const s = await startTestServer({
  name: 'pglite',
  open: async () => {
    const d = await openDatabase('pglite:memory');
    await migrate(d.db);
    return d;
  },
});
const fleet = await seedFleet(s);
await seedModel(s, 'fashion-mnv2', ['1.0.0', '1.1.0']);
console.log(
  JSON.stringify({ url: s.url, admin: s.adminToken, engineer: s.engineerToken, viewer: s.viewerToken, fleet }),
);
process.on('SIGTERM', () => void s.stop().then(() => process.exit(0)));
