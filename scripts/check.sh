#!/bin/sh
# Every check CI runs, in one place: lint, format, types, then the whole test suite.
# Run from the repository root with the dev environment installed (see README.md).
set -eu
PY=${PYTHON:-.venv/bin/python}
DIRS=$(for d in src tests bench scripts; do [ -d "$d" ] && printf '%s ' "$d"; done)
# shellcheck disable=SC2086  # DIRS is a list of plain folder names
"$PY" -m ruff check $DIRS
# shellcheck disable=SC2086
"$PY" -m ruff format --check $DIRS
"$PY" -m mypy
set +e
"$PY" -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, never a green run.
if [ "$status" -eq 5 ]; then
    echo "check: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
