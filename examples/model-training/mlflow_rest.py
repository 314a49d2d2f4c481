"""A few MLflow REST calls over urllib (no `mlflow` package needed).

Endpoints: MLflow's REST API 2.0 paths (served by MLflow 2.x and 3.x), with artifacts through the
tracking server's proxy (`mlflow server --serve-artifacts`, the default). Auth as MLflow's own
clients read it: MLFLOW_TRACKING_TOKEN (bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (basic).
"""
from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request


class MlflowError(RuntimeError):
    pass


class MlflowRest:
    def __init__(self, tracking_uri: str):
        self.base = tracking_uri.rstrip("/")
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        user = os.environ.get("MLFLOW_TRACKING_USERNAME")
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user:
            pw = os.environ.get("MLFLOW_TRACKING_PASSWORD", "")
            self.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()

    def _send(self, method: str, path: str, body: bytes | None, content_type: str | None) -> bytes:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in range(4):
            req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    return r.read()
            except urllib.error.HTTPError as e:
                text = e.read().decode(errors="replace")
                if e.code in (429, 500, 502, 503, 504) and attempt < 3:
                    time.sleep(0.5 * 2**attempt)
                    continue
                raise MlflowError(f"MLflow {method} {path} answered {e.code}: {text[:300]}") from e
            except urllib.error.URLError as e:
                if attempt < 3:
                    time.sleep(0.5 * 2**attempt)
                    continue
                raise MlflowError(f"MLflow at {self.base} could not be reached: {e.reason}") from e
        raise AssertionError("unreachable")

    def call(self, method: str, endpoint: str, body: dict | None = None, query: dict | None = None) -> dict:
        path = "/api/2.0/mlflow/" + endpoint + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        out = self._send(method, path, data, "application/json" if data is not None else None)
        return json.loads(out) if out else {}

    def experiment_id(self, name: str) -> str:
        try:
            return self.call("GET", "experiments/get-by-name", query={"experiment_name": name})["experiment"]["experiment_id"]
        except MlflowError as e:
            if "RESOURCE_DOES_NOT_EXIST" not in str(e):
                raise
        return self.call("POST", "experiments/create", {"name": name})["experiment_id"]

    def upload_artifact(self, artifact_uri: str, rel_path: str, data: bytes) -> None:
        if not artifact_uri.startswith("mlflow-artifacts:"):
            raise MlflowError(f"the run's artifacts are at {artifact_uri}; start mlflow server with artifact "
                              "serving (--serve-artifacts, the default) so they go through the tracking server")
        root = artifact_uri.split(":", 1)[1].lstrip("/")
        path = "/api/2.0/mlflow-artifacts/artifacts/" + urllib.parse.quote(f"{root}/{rel_path}")
        self._send("PUT", path, data, "application/octet-stream")

    def register_version(self, name: str, run_id: str, artifact_path: str, alias: str | None) -> str:
        try:
            self.call("POST", "registered-models/create", {"name": name})
        except MlflowError as e:
            if "RESOURCE_ALREADY_EXISTS" not in str(e):
                raise
        mv = self.call("POST", "model-versions/create",
                       {"name": name, "source": f"runs:/{run_id}/{artifact_path}", "run_id": run_id})
        version = mv["model_version"]["version"]
        if alias:
            self.call("POST", "registered-models/alias", {"name": name, "alias": alias, "version": version})
        return version
