-- 006: the MLflow integration. mlflow_imports: every MLflow model version TinySphere was asked to
-- import (by polling an alias, a webhook or a person), with its outcome and the version it became.
-- mlflow_field_runs: the MLflow run that receives a deployed version's field metrics, and how far
-- it has been logged.
CREATE TABLE mlflow_imports (
  name text NOT NULL,
  version text NOT NULL,
  alias text,
  trigger text NOT NULL CHECK (trigger IN ('poll', 'webhook', 'manual')),
  status text NOT NULL CHECK (status IN ('pending', 'imported', 'failed')),
  error text,
  attempts integer NOT NULL DEFAULT 0,
  source text,
  run_id text,
  model_id text,
  model_version text,
  requested_at timestamptz NOT NULL,
  finished_at timestamptz,
  PRIMARY KEY (name, version)
);
CREATE INDEX mlflow_imports_model ON mlflow_imports (model_id, model_version);
CREATE INDEX mlflow_imports_requested ON mlflow_imports (requested_at);

CREATE TABLE mlflow_field_runs (
  model_id text NOT NULL,
  version text NOT NULL,
  run_id text NOT NULL,
  logged_until timestamptz NOT NULL,
  step integer NOT NULL DEFAULT 0,
  finished_at timestamptz,
  PRIMARY KEY (model_id, version)
);
