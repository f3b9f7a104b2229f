"""Datasette as an ASGI app, so that uvicorn can run it in as many processes as Pacta's gunicorn.

`datasette serve` runs a single process; comparing it with two gunicorn workers would measure
the process count rather than the software. bench/run.py starts
`uvicorn bench.datasette_app:app --workers N` with BENCH_SQLITE naming the database file.
"""

import os

from datasette.app import Datasette

app = Datasette(
    [os.environ["BENCH_SQLITE"]],
    settings={
        "sql_time_limit_ms": 5000,
        "default_page_size": 50,
        # One SQL thread per process, as each gunicorn worker serves one request at a time.
        "num_sql_threads": int(os.environ.get("BENCH_DATASETTE_SQL_THREADS", "1")),
        # The CSV export streams every row; Datasette's 100 MB default cap would cut it short.
        "max_csv_mb": 0,
    },
).app()
