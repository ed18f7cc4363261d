# .ci/lib.sh — helpers sourced by the other .ci scripts (not run on its own).
# Sets ROOT (the repo), CACHE (.cache/, gitignored) and LOGS, and puts rustup's cargo on PATH,
# because CI runs with a trimmed environment in which ~/.cargo/bin may be missing.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
LOGS="$CACHE/logs"
mkdir -p "$LOGS"

if ! command -v cargo >/dev/null 2>&1 && [ -x "${HOME:-/root}/.cargo/bin/cargo" ]; then
  PATH="${HOME:-/root}/.cargo/bin:$PATH"
  export PATH
fi

# The script's name, printed before every message so a CI log says which step spoke.
STEP="${STEP:-$(basename "$0")}"

say() { printf '%s: %s\n' "$STEP" "$*"; }

# die MESSAGE: the one clear failure line, then exit 1.
# If BERTH_CI_FAILURE_FILE is set, the message is also written there for .ci/test's summary.
die() {
  printf '%s: FAILED: %s\n' "$STEP" "$*" >&2
  if [ -n "${BERTH_CI_FAILURE_FILE:-}" ]; then printf '%s: %s\n' "$STEP" "$*" >"$BERTH_CI_FAILURE_FILE"; fi
  exit 1
}

# show_tail LOG [N]: the last N lines of a log, so a failure explains itself without opening files.
show_tail() {
  local log=$1 n=${2:-60}
  [ -s "$log" ] || return 0
  printf '%s: ---- last %s lines of %s ----\n' "$STEP" "$n" "$log" >&2
  tail -n "$n" "$log" >&2
  printf '%s: ---- end of %s ----\n' "$STEP" "$log" >&2
}

# run_logged LOG WHAT CMD...: runs CMD with all its output appended to LOG (quiet on success);
# on failure prints the log's tail and dies naming WHAT.
run_logged() {
  local log=$1 what=$2 rc=0
  shift 2
  printf '\n==== %s: %s (%s)\n' "$(date -u +%FT%TZ)" "$what" "$*" >>"$log"
  "$@" >>"$log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    show_tail "$log"
    die "$what (exit $rc; full log: $log)"
  fi
}
