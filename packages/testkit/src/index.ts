export * from './postgres-cluster.js';
export * from './test-database.js';
