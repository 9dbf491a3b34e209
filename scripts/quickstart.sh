#!/usr/bin/env bash
# Set up medcode in ./.venv, build the knowledge base, and run the example job: map the example
# problem list to codes, show the code page of the example procedure, propose claim lines from the
# example case note, and check an example claim.
# The mirror of official downloads is $MEDCODE_MIRROR, else ../shared/data when it exists;
# with neither, ICD-10-CM is built from the copy packaged with simple-icd-10-cm.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# a built install, as users get it: the detector compiled with mypyc (setup.py)
.venv/bin/python -m pip install -q '.[test]'
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
echo "== Case2Code on the example case note (examples/cryoablation_case.txt)"
.venv/bin/medcode suggest examples/cryoablation_case.txt
echo "== claim checks on an example claim with planted errors (exit status 1 means errors were found)"
.venv/bin/medcode check examples/claim_cryoablation.json || true
