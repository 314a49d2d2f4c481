// A worker thread of the ingest fuzzer: runs the range of cases it is given (workerData) and
// posts its progress and its report back (see fuzz-ingest.ts). Test-only code.
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzRange, type FuzzRange } from './fuzz-ingest.js';

const report = await fuzzRange(workerData as FuzzRange, (done) => parentPort?.postMessage({ done }));
parentPort?.postMessage({ report });
