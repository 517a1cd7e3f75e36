"""A stand-in for Overture's public release: a local S3-compatible server (moto, 127.0.0.1) holding
Overture-shaped Parquet files, and a STAC catalog on a local HTTP server naming the latest release."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import duckdb
import requests
from fake_server import FakeServer, Reply
from moto.server import ThreadedMotoServer
from support import REPO

from benchmarks.overture import create_divisions
from ingest.spatial import extension_path

BUCKET = "overturemaps-us-west-2"


def release_rows(places: list[tuple], generation: str) -> str:
    """A SELECT of the places in the release schema of one generation."""
    values = ", ".join(
        f"('id{i}', {_text(name)}, {_text(category)}, {confidence}, {_text(status)}, {lon}, {lat})"
        for i, (name, category, confidence, status, lon, lat) in enumerate(places)
    )
    category = (
        "{'primary': category, 'hierarchy': [category], 'alternates': []::varchar[]} as taxonomy, "
        "category as basic_category, operating_status,"
        if generation == "taxonomy"
        else "{'primary': category, 'alternate': []::varchar[]} as categories,"
    )
    return f"""
        select id, {{'primary': name}} as names, {category} confidence,
            [{{'dataset': 'meta', 'record_id': id}}] as sources,
            {{'xmin': lon::float, 'xmax': lon::float, 'ymin': lat::float, 'ymax': lat::float}} as bbox
        from (values {values}) as t(id, name, category, confidence, operating_status, lon, lat)
    """


def _text(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


class Release:
    """A local S3 server holding Overture-shaped releases, and a STAC catalog naming the latest."""

    def __init__(self, tmp_path: Path) -> None:
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.endpoint = f"{host}:{port}"
        requests.post(f"http://{self.endpoint}/moto-api/reset", timeout=10)  # moto's state is per process
        self.s3 = boto3.client("s3", endpoint_url=f"http://{self.endpoint}", region_name="us-west-2",
                               aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.catalog = FakeServer().__enter__()
        self.tmp_path = tmp_path
        self.stopped = False

    def publish(
        self,
        release: str,
        select: str,
        files: int = 2,
        theme: str = "places",
        kind: str = "place",
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """The rows of `select` as `files` Parquet files of the release (small row groups, so the
        extent filter has statistics to skip by)."""
        if connection is None:
            connection = duckdb.connect()
            connection.execute(f"load '{extension_path()}'")  # geometry columns written as GeoParquet
        for part in range(files):
            file = self.tmp_path / f"{release}-{kind}-{part}.parquet"
            connection.execute(
                f"copy (select * from ({select}) where hash(id) % {files} = {part}) to '{file}' "
                "(format parquet, row_group_size 4)"
            )
            key = f"release/{release}/theme={theme}/type={kind}/part-{part:05d}.parquet"
            self.s3.upload_file(str(file), BUCKET, key, ExtraArgs={"ACL": "public-read"})

    def latest(self, release: str) -> None:
        body = json.dumps({"type": "Catalog", "id": "overture", "latest": release}).encode()
        self.catalog.route("/catalog.json", Reply(200, body, {"Content-Type": "application/json"}))

    def environment(self) -> dict[str, str]:
        return {**os.environ, "INGEST_OVERTURE_S3_ENDPOINT": self.endpoint,
                "INGEST_OVERTURE_STAC_URL": self.catalog.url("/catalog.json")}  # fmt: skip

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.moto.stop()
            self.catalog.__exit__()


def ingest_cli(environment: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", *map(str, args)], capture_output=True, text=True,
                          env=environment, cwd=REPO)  # fmt: skip


def publish_divisions(release: Release, name: str, shared: Path) -> None:
    """The divisions of `create_divisions` as a release's divisions theme."""
    connection = duckdb.connect()
    connection.execute(f"load '{extension_path()}'")
    create_divisions(connection, shared)
    for kind, table in (("division", "_division"), ("division_area", "_division_area")):
        release.publish(name, f"select * from {table}", theme="divisions", kind=kind, connection=connection)
