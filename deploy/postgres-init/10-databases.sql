-- Runs once, when the PostgreSQL volume is created: one database per service, owned by the
-- compose user (POSTGRES_USER). TinySphere migrates its own schema at start; MLflow too.
CREATE DATABASE tinysphere;
CREATE DATABASE mlflow;
