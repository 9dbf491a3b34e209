#!/usr/bin/env bash
# Set up medcode in ./.venv, build the knowledge base, and run the example job:
# map the example problem list to codes and show the code page of the example procedure.
# The mirror of official downloads is $MEDCODE_MIRROR, else ../shared/data when it exists;
# with neither, ICD-10-CM is built from the copy packaged with simple-icd-10-cm.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
mirror="${MEDCODE_MIRROR:-}"
if [ -z "$mirror" ] && [ -d ../shared/data ]; then mirror=../shared/data; fi
if [ -n "$mirror" ]; then
  .venv/bin/medcode kb build --mirror "$mirror"
else
  .venv/bin/medcode kb build
fi
echo "== problem list (examples/problem_list.jsonl) mapped to codes"
.venv/bin/medcode search --batch examples/problem_list.jsonl --limit 3
echo "== code page: 0441T"
.venv/bin/medcode show 0441T
