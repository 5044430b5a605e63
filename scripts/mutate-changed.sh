#!/usr/bin/env bash
# CI's mutation step: StrykerJS on the judging files changed since they were last scored
# (docs/mutation.md), with the 90 % break from stryker.config.json. A whole run (`npm run mutate`,
# about two hours on 2 cores) does not fit CI; a change to a judge does, and is what can lower the score.
set -euo pipefail
cd "$(dirname "$0")/.."

# The commit whose judging files docs/mutation.md scores. Move it only with a new score.
SCORED_AT=577a97f0a18d137d7665e95362084b04deb5d02f

if ! git cat-file -e "${SCORED_AT}^{commit}" 2>/dev/null; then
  echo "[mutate] commit ${SCORED_AT} (where the judges were scored) is not in this clone: cannot tell what changed" >&2
  exit 1
fi
changed=$(git diff --name-only "$SCORED_AT" -- src/slo src/measure src/core/comparison.ts src/run/chaos/recovery.ts |
  grep -E '\.ts$' | grep -vE '\.test\.ts$|test-util\.ts$|^src/measure/probes\.ts$' || true)
if [ -z "$changed" ]; then
  echo "[mutate] no judging file changed since ${SCORED_AT:0:12}: nothing to score"
  exit 0
fi
echo "[mutate] scoring what changed since ${SCORED_AT:0:12}: $(echo "$changed" | tr '\n' ' ')"
t0=$SECONDS
# The project's configuration with the changed files as the mutants, no incremental file, no HTML.
config=$(mktemp --suffix=.json -p .)
trap 'rm -f "$config"' EXIT
CHANGED="$changed" node -e '
  const c = JSON.parse(require("fs").readFileSync("stryker.config.json", "utf8"));
  c.mutate = process.env.CHANGED.split("\n");
  c.incremental = false;
  c.reporters = ["clear-text", "progress"];
  process.stdout.write(JSON.stringify(c));
' >"$config"
npx stryker run "$config"
echo "[mutate] took $((SECONDS - t0))s"
