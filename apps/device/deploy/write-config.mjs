// Prints a device.json for an installed device (install.sh runs it): a config example with the
// installed model bundle, the data folder, and the server URL and enrolment token when given.
//   node write-config.mjs <example.json> <app dir> <data dir> [server URL] [enrolment token]
// The device checks the whole config when it starts (exit code 2 names every bad key).
import { readFileSync } from 'node:fs';

const [example, appDir, dataDir, serverUrl, token] = process.argv.slice(2);
if (!example || !appDir || !dataDir) {
  console.error('usage: node write-config.mjs <example.json> <app dir> <data dir> [server URL] [enrolment token]');
  process.exit(2);
}
const config = JSON.parse(readFileSync(example, 'utf8'));
config.dataDir = dataDir;
config.model = { ...config.model, bundle: `${appDir}/models/fashion-mnv2` };
if (serverUrl || token) {
  config.server = {
    ...config.server,
    ...(serverUrl ? { url: serverUrl } : {}),
    ...(token ? { enrolmentToken: token } : {}),
  };
}
process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
