export * from './free-port.js';
export * from './postgres-cluster.js';
export * from './test-database.js';
// The dataset reader and drift scenarios are runtime code (the device's dataset source uses them),
// so they live in TinyLCM; re-exported here for the tests and benchmarks that import them from testkit.
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_SAMPLE_DIR,
  HELD_OUT_CLASSES,
  hasFashionMnistSample,
  readFashionMnist,
  type ImageSet,
  CORRUPTIONS,
  corrupt,
  type Corruption,
  DRIFT_SCENARIOS,
  sampleScenarioFrames,
  scenarioStream,
  type DriftEpisodeTruth,
  type DriftScenario,
  type ScenarioFrame,
  type ScenarioOptions,
} from '@tinymlops/tinylcm';
export * from './streams.js';
export * from './drift-conformance.js';
export * from './mlflow-fake/mlflow-fake.js';
export { webhookSignature, type WebhookDelivery } from './mlflow-fake/webhook-dispatcher.js';
export * from './field-dataset-reader.js';
export * from './mlflow-fake/log-model-version.js';
