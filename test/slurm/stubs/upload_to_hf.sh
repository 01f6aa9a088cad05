#!/usr/bin/env bash
# Stub of dist-scripts/upload_to_hf.sh for the Slurm tests: records its arguments and job, exits 0.
set -euo pipefail
state=${STUB_STATE:?STUB_STATE must name the stub state folder}
mkdir -p "$state/uploads"
printf '%s\n' "$@" >"$state/uploads/${SLURM_JOB_ID:-nojob}"
