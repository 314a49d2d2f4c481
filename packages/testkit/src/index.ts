export * from './streams.js';
export * from './drift-conformance.js';
