export * from './random/prng.js';
export * from './drift/index.js';
