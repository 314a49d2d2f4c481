#!/usr/bin/env node
// The `npm start` demo: TinySphere + three simulated devices (see src/demo/demo.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/demo/demo-cli.ts');
