# syntax=docker/dockerfile:1
# MLflow tracking server + model registry with a PostgreSQL backend store and artifacts on
# S3/MinIO, served through MLflow's artifact proxy. The official image lacks the PostgreSQL
# driver and boto3, hence this small image. MLflow 3 brings model-registry webhooks.
FROM python:3.12-slim
RUN pip install --no-cache-dir "mlflow>=3.4,<4" psycopg2-binary boto3
EXPOSE 5000
