#!/usr/bin/env bash
# The DAG CI/CD steps of this repository's pipeline, one function per CI
# event. .github/workflows/dag-cicd.yml calls it, and so does the project's
# end-to-end test (test/e2e/ci-workflow.test.mjs), so that what CI does is
# what is tested.
#
# Needs: the `dag-cicd` command (npm package @dag-cicd/cli), DAG_CICD_URL,
# DAG_CICD_TOKEN, ENTITY (the DAG's entity ref) and COMMIT (40-hex SHA).
# Exit codes are the CLI's (docs/ci.md): 5 means the DAG failed, not CI.
set -euo pipefail

: "${ENTITY:?set ENTITY to the DAG entity ref, e.g. component:default/orders-daily}"
: "${COMMIT:?set COMMIT to the full 40-hex git SHA}"
sha7=${COMMIT:0:7}
sample="ci_${sha7}"
chaos="ci_${sha7}_chaos"

# Every push: the commit's own environment on a sample of production, one
# run of the DAG, then the same on data with injected faults.
push() {
  dag-cicd env create --entity "$ENTITY" --commit "$COMMIT" \
    --name "$sample" --profile sample --ttl P3D --wait --timeout 15m
  dag-cicd run start "$ENTITY@ci/$sample" --wait --timeout 30m

  dag-cicd env create --entity "$ENTITY" --commit "$COMMIT" \
    --name "$chaos" --profile chaos --ttl P3D --wait --timeout 15m
  dag-cicd run start "$ENTITY@ci/$chaos" --wait --timeout 30m
}

# A closed pull request: its head commit's environments go. Environments of
# earlier pushes expire with their TTL.
cleanup() {
  for name in "$sample" "$chaos"; do
    # Exit code 4: already gone (or never made), which is what cleanup wants.
    dag-cicd env delete "$ENTITY@ci/$name" --wait --timeout 10m ||
      { code=$?; [ "$code" -eq 4 ] || exit "$code"; }
  done
}

# A merge to main: ask for the commit's promotion to staging. Its gates and
# approvals are decided in Backstage; this only opens the request.
promote() {
  dag-cicd promote request --entity "$ENTITY" --commit "$COMMIT" \
    --to staging --comment "Merged to main by CI"
}

case "${1:-}" in
  push | cleanup | promote) "$1" ;;
  *)
    echo "usage: $0 push|cleanup|promote" >&2
    exit 2
    ;;
esac
