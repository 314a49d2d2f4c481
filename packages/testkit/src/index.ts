export * from './free-port.js';
export * from './postgres-cluster.js';
export * from './test-database.js';
export * from './fashion-mnist.js';
export * from './image-corruptions.js';
export * from './drift-scenarios.js';
export * from './streams.js';
export * from './drift-conformance.js';
