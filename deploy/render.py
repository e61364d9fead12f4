"""Fill in deploy/nginx.conf's @NAME@ markers: the one nginx configuration, for production and for
the tests (tests/test_deploy.py renders it with free ports and temporary directories).

    python deploy/render.py --listen 80 --upstream 10.0.0.11:8000 --upstream 10.0.0.12:8000 \\
        > /etc/nginx/nginx.conf

A marker left unfilled, or an option naming no marker, is an error: the file nginx reads is
always complete.
"""

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")
MARKER = re.compile(r"@([A-Z_]+)@")


def render(
    upstreams: list[str],
    listen: str = "80",
    server_name: str = "_",
    run_dir: str = "/run/clinic-api-nginx",
    log_dir: str = "/var/log/nginx",
    cache_dir: str = "/var/cache/nginx/clinic-api",
    cache_max_size: str = "512m",
    user: str = "www-data",
    worker_processes: str = "auto",
) -> str:
    """The configuration text. `upstreams` are gunicorn replicas' host:port (or unix:/path)."""
    if not upstreams:
        raise ValueError("at least one upstream (a gunicorn replica) is needed")
    # max_fails=1: one refused connection takes a replica out of rotation for fail_timeout, so
    # a replica that died costs each nginx worker one retried attempt, not one per request.
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=5s;" for u in upstreams)
    values = {
        "UPSTREAMS": servers,
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "RUN_DIR": run_dir,
        "LOG_DIR": log_dir,
        "CACHE_DIR": cache_dir,
        "CACHE_MAX_SIZE": cache_max_size,
        "USER": user,
        "WORKER_PROCESSES": worker_processes,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    markers = set(MARKER.findall(text))
    if markers != set(values):
        raise ValueError(f"template markers {sorted(markers)} != values {sorted(values)}")
    return MARKER.sub(lambda m: values[m.group(1)], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", action="append", required=True, help="host:port, repeat")
    parser.add_argument("--listen", default="80")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--run-dir", default="/run/clinic-api-nginx")
    parser.add_argument("--log-dir", default="/var/log/nginx")
    parser.add_argument("--cache-dir", default="/var/cache/nginx/clinic-api")
    parser.add_argument("--cache-max-size", default="512m")
    parser.add_argument("--user", default="www-data")
    parser.add_argument("--worker-processes", default="auto")
    args = vars(parser.parse_args(argv))
    sys.stdout.write(render(args.pop("upstream"), **args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
