"""Create or drop a throwaway PostgreSQL database for CI: pgdb.py BASE_URL NAME create|drop|ping."""

import sys

import psycopg

base, name, action = sys.argv[1:4]
try:
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop":
            for db in (name, f"test_{name}"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
except psycopg.OperationalError as error:
    if action == "ping":
        sys.exit(1)
    raise SystemExit(f"PostgreSQL at {base}: {error}") from error
