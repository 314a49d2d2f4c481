import { TinyMLOpsError } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import type { MlflowConfig } from './mlflow-config.js';
import { MlflowClient } from './mlflow-client.js';

const clients = new WeakMap<MlflowConfig, MlflowClient>();

/**
 * The server's MLflow configuration and client (one client per configuration), or an
 * `UNAVAILABLE` error that says how to enable MLflow.
 * @example
 * const { config, client } = mlflowOf(ctx);
 */
export function mlflowOf(ctx: Pick<AppContext, 'config'>): { config: MlflowConfig; client: MlflowClient } {
  const config = ctx.config.mlflow;
  if (!config) {
    throw new TinyMLOpsError(
      'UNAVAILABLE',
      'MLflow is not configured on this server: start it with MLFLOW_TRACKING_URI (or --mlflow-tracking-uri)',
    );
  }
  let client = clients.get(config);
  if (!client) {
    client = new MlflowClient(config);
    clients.set(config, client);
  }
  return { config, client };
}
