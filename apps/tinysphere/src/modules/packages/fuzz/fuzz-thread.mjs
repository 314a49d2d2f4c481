// Entry of a fuzzer worker thread: a thread does not inherit tsx from the main thread, so it
// registers it before loading the TypeScript (as bin/tinysphere.mjs does). Test-only code.
import { register } from 'tsx/esm/api';

register();
await import('./fuzz-thread.ts');
