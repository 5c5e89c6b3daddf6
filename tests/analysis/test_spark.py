"""Spark for real: PySpark in ``local[2]`` over an archive's Parquet files computes the KPIs of pandas.

One SparkSession for the module (loopback only, no UI, session time zone UTC), reading the
Hive-partitioned Parquet files of a sandbox period with ``spark.read.parquet``; each KPI on that
Spark DataFrame must equal, to the last digit, the same KPI of pandas on the report frame
(``summarize`` and ``by_country``: every per-row definition, the prefix join and the joined-back
table of shared calling codes; the other KPIs are the same Ibis expressions, checked on DuckDB).
Under ``CI=true`` a missing Java is a failure, never a skip (``.ci/run`` installs
``openjdk-17-jre-headless``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from mfanalytics.analysis import engines, kpis

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from archives import sandbox_period, write_archive


def _need_java() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        message = "PySpark needs Java 17 (apt-get install openjdk-17-jre-headless; .ci/run does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def spark():
    _need_java()
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("mfanalytics-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def period() -> pd.DataFrame:
    return sandbox_period(days=8, seed=5)


@pytest.fixture(scope="module")
def reports(spark, period, tmp_path_factory):
    archive = write_archive(period, tmp_path_factory.mktemp("spark-archive"))
    return spark.read.parquet(str(archive.reports_path))


def test_the_table_is_spark_s(reports):
    assert engines.table_of(reports).get_backend().name == "pyspark"


@pytest.mark.parametrize(
    "kpi",
    [kpis.summarize, kpis.by_country],
    ids=["summarize", "by_country"],
)
def test_spark_gives_the_frames_of_pandas(kpi, reports, period):
    expected = kpi(period)
    assert len(expected)
    pd.testing.assert_frame_equal(kpi(reports), expected, check_exact=True)
