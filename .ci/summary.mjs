#!/usr/bin/env node
// .ci/summary.mjs — sums up one test run from the logs that .ci/test wrote, prints the names of
// what failed, and ends with the one plain line CI reads:  `N passed, N failed` (skips on the line before it).
// Exit status: 0 when nothing failed, 1 otherwise (also when this script itself breaks).
//
// Usage: node .ci/summary.mjs [--cargo LOG --exit N] [--tap LOG --exit N]... [--failed NAME]...
//   --cargo LOG   combined stdout+stderr of `cargo test --no-fail-fast`
//   --tap LOG     stdout of `tap --reporter=tap` (its stderr, if kept, is LOG with .stderr for .tap)
//   --exit N      exit status of the command whose log precedes it
//   --failed NAME a step that failed before it could run tests (counts as one failure)
//
// Counting. Rust: the `test result:` lines (one per test binary and per doc-test run) give passed,
// failed and ignored (= skipped); a test binary that died before its result line (a crash), or a
// non-zero exit with no failure found (a build error), counts as one failure. Tap: every test point
// that has no subtests (an assertion, or an empty skipped test) counts once, as passed, failed or
// skipped (SKIP and TODO); a subtest or a test file that failed while none of its points failed
// (crash, exit code, signal, timeout, plan mismatch) counts as one failure. This is the count tap
// itself prints as `# { total, pass, fail, skip, todo }`; a difference is reported as a note.

import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const MAX_DETAIL_LINES = 14;

/** Parses argv into sources (cargo / tap logs with their exit status) and plain failures. */
function parseArgs(argv) {
  const sources = [];
  const failed = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--cargo' || flag === '--tap') sources.push({ kind: flag.slice(2), log: value, exit: 0 });
    else if (flag === '--exit') {
      if (!sources.length) throw new Error('--exit must follow --cargo or --tap');
      sources[sources.length - 1].exit = Number(value);
    } else if (flag === '--failed') failed.push(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  return { sources, failed };
}

/** A fresh tally: counts plus the failures (a name and some detail lines each). */
function tally(label) {
  return { label, passed: 0, failed: 0, skipped: 0, failures: [], notes: [] };
}

function fail(t, name, details = []) {
  t.failed++;
  t.failures.push({ name, details: details.slice(0, MAX_DETAIL_LINES) });
}

function readLog(path) {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

// ---------------------------------------------------------------- cargo test

/** Sums `cargo test` output: result lines, FAILED test names, crashed binaries, build errors. */
export function summarizeCargo(text, exit, label = 'cargo') {
  const t = tally(label);
  if (text === null) {
    fail(t, `${label}: no output (cargo test did not run)`);
    return t;
  }
  const lines = text.split('\n');
  let target = '';
  let sawResult = true;
  let failedInTarget = [];
  let failedResults = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const running = line.match(/^\s+Running (.+?)(?: \((?:[^)]*\/)?([^/)]+?)(?:-[0-9a-f]{8,})?\))?$/);
    const doc = line.match(/^\s+Doc-tests (\S+)/);
    if (running || doc) {
      target = doc ? `doc-tests ${doc[1]}` : running[2] ? `${running[2]} ${running[1]}` : running[1];
      sawResult = false;
      failedInTarget = [];
      continue;
    }
    const failedTest = line.match(/^test (.+) \.\.\. FAILED$/);
    if (failedTest) failedInTarget.push(failedTest[1]);
    const result = line.match(/test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored/);
    if (result) {
      sawResult = true;
      t.passed += Number(result[2]);
      t.skipped += Number(result[4]);
      const nFailed = Number(result[3]);
      if (nFailed > 0) failedResults++;
      for (let k = 0; k < nFailed; k++) {
        const name = failedInTarget[k] ?? '(unnamed test)';
        fail(t, `${label} ${target}: ${name}`, panicDetails(lines, name));
      }
    }
    // cargo prints this right after a failing binary's output, sometimes on the same line.
    for (const m of line.matchAll(/error: test failed, to rerun pass `([^`]+)`/g)) {
      if (!sawResult) {
        const cause = lines.slice(i + 1, i + 5).find((l) => /process didn't exit successfully/.test(l));
        fail(t, `${label} ${target || m[1]}: the test binary crashed before its result line`, [
          cause ? cause.trim() : `rerun with: cargo test ${m[1]}`,
        ]);
        sawResult = true;
      }
    }
  }
  if (exit !== 0 && t.failed === 0) {
    const errors = lines.filter((l) => /^error(\[E\d+\])?:/.test(l) || /^\s+--> /.test(l));
    fail(t, `${label}: cargo test exited ${exit} without a failing test (build error?)`, errors.length ? errors : lines.slice(-8));
  }
  if (failedResults === 0 && exit === 0 && t.passed + t.skipped === 0) t.notes.push(`${label}: ran no Rust test`);
  return t;
}

/** The panic message of a failed Rust test, from its `---- name stdout ----` section. */
function panicDetails(lines, name) {
  const start = lines.findIndex((l) => l.trim() === `---- ${name} stdout ----`);
  if (start < 0) return [];
  const out = [];
  for (let i = start + 1; i < lines.length && out.length < 6; i++) {
    const l = lines[i];
    if (/^(---- |failures:|stack backtrace:|note: )/.test(l)) break;
    if (l.trim()) out.push(l.trim());
  }
  return out;
}

// ---------------------------------------------------------------- tap (TAP 14 from --reporter=tap)

const POINT = /^( *)(not ok|ok)\b(?: +\d+)?(?: +-)?(?: +(.*))?$/;
const SUBTEST = /^( *)# Subtest: (.*)$/;

/** Splits a test point's text at its first unescaped '#': the name (unescaped) and the directive. */
function splitDirective(text) {
  let name = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      name += text[++i];
    } else if (c === '#') {
      return { name: name.trim(), directive: text.slice(i + 1).trim() };
    } else name += c;
  }
  return { name: name.trim(), directive: '' };
}

/** Keys of a failure's YAML diagnostic that say why; the rest (source, stack, args) is noise here. */
const NOISY_YAML = /^(source|stack|at|args|command|cwd|stdio|externalID|compare|test|tapCaught|isToplevel|lineNumber|columnNumber|fileName|typeName|time|duration_ms)\s*:/;

/** Pulls the location and the useful lines out of a YAML diagnostic block. */
function yamlDetails(yaml) {
  const details = [];
  const at = {};
  let skipping = false;
  let base = -1;
  for (const line of yaml) {
    const indent = line.length - line.trimStart().length;
    if (base < 0 && line.trim()) base = indent;
    const trimmed = line.trim();
    if (indent === base && trimmed) {
      skipping = NOISY_YAML.test(trimmed);
      if (/^at\s*:/.test(trimmed)) skipping = 'at';
    }
    if (skipping === 'at') {
      const m = trimmed.match(/^(fileName|lineNumber):\s*(.*)$/);
      if (m) at[m[1]] = m[2];
      continue;
    }
    if (!skipping && trimmed) details.push(line.slice(Math.max(0, base)));
  }
  if (at.fileName) details.unshift(`at ${at.fileName}${at.lineNumber ? `:${at.lineNumber}` : ''}`);
  return details;
}

/** Sums a TAP stream; see the header for what counts. */
export function summarizeTap(text, exit, label = 'tap', stderr = null) {
  const t = tally(label);
  if (text === null) {
    fail(t, `${label}: no output (tap did not run)`, tailOf(stderr));
    return t;
  }
  const lines = text.split('\n');
  const subtestNames = []; // subtestNames[d] = the subtest whose points sit at depth d + 1
  const kids = []; // kids[d] = { count, failed } for points at depth d since the last point at d - 1
  let tapOwnCount = null;
  let bailedOut = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const sub = line.match(SUBTEST);
    if (sub) {
      subtestNames[sub[1].length / 4] = sub[2];
      continue;
    }
    const counted = line.match(/^# \{ (total: \d+.*) \}$/);
    if (counted) tapOwnCount = Object.fromEntries([...counted[1].matchAll(/(\w+): (\d+)/g)].map((m) => [m[1], Number(m[2])]));
    if (/^\s*Bail out!/.test(line)) {
      bailedOut = true;
      fail(t, `${label}: ${line.trim()}`);
      continue;
    }
    const m = line.match(POINT);
    if (!m) continue;
    const indent = m[1].length;
    const depth = Math.floor(indent / 4);
    const ok = m[2] === 'ok';
    const { name, directive } = splitDirective(m[3] ?? '');
    const skip = /^(skip|todo)\b/i.test(directive);
    // The YAML diagnostic, if any, follows at indent + 2 between `---` and `...`.
    const yaml = [];
    if (lines[i + 1] !== undefined && lines[i + 1].trim() === '---' && lines[i + 1].startsWith(' '.repeat(indent + 2) + '---')) {
      let j = i + 2;
      for (; j < lines.length && !(lines[j].trim() === '...' && lines[j].length - lines[j].trimStart().length === indent + 2); j++) yaml.push(lines[j]);
      i = j;
    }
    const children = kids[depth + 1];
    kids[depth + 1] = undefined;
    // The subtest announced at this depth since the last point here is this point, normally by
    // the same name; tap sometimes reports a file's crash or timeout under another name.
    const announced = subtestNames[depth];
    subtestNames[depth] = undefined;
    const own = announced && announced !== name ? `${announced}: ${name}` : name;
    const path = [...subtestNames.slice(0, depth), own].filter(Boolean).join(' > ');
    let failedHere = false;
    if (children && children.count > 0) {
      // A subtest or a file: its points are counted already; count it only if it failed alone.
      if (!ok && !skip && children.failed === 0) {
        fail(t, `${label}: ${path} (failed without a failing assertion)`, yamlDetails(yaml));
        failedHere = true;
      }
      failedHere ||= children.failed > 0;
    } else if (skip) {
      t.skipped++;
    } else if (ok) {
      t.passed++;
    } else {
      fail(t, `${label}: ${path}`, yamlDetails(yaml));
      failedHere = true;
    }
    const mine = (kids[depth] ??= { count: 0, failed: 0 });
    mine.count++;
    if (failedHere) mine.failed++;
  }
  if (exit !== 0 && t.failed === 0) {
    fail(t, `${label}: tap exited ${exit} without a failing test point`, tailOf(stderr));
  } else if (tapOwnCount === null && !bailedOut && t.failed === 0) {
    fail(t, `${label}: tap's output ended without its summary (tap crashed or was killed?)`, tailOf(stderr));
  }
  if (tapOwnCount && ((tapOwnCount.pass ?? 0) !== t.passed || (tapOwnCount.fail ?? 0) !== t.failed)) {
    t.notes.push(`${label}: note: tap itself counted ${JSON.stringify(tapOwnCount)}`);
  }
  return t;
}

function tailOf(text, n = 12) {
  if (!text) return [];
  return text.trimEnd().split('\n').slice(-n);
}

// ---------------------------------------------------------------- main

function main() {
  const { sources, failed } = parseArgs(process.argv.slice(2));
  const tallies = sources.map((s) => {
    const text = readLog(s.log);
    if (s.kind === 'cargo') return summarizeCargo(text, s.exit, 'cargo');
    const label = `tap ${basename(s.log).replace(/^tap-/, '').replace(/\.tap$/, '')}`;
    return summarizeTap(text, s.exit, label, readLog(s.log.replace(/\.tap$/, '') + '.stderr'));
  });
  const steps = tally('steps');
  for (const name of failed) fail(steps, name);
  tallies.unshift(steps);

  const total = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  for (const t of tallies) {
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
    failures.push(...t.failures);
  }
  console.log('');
  console.log('==== summary');
  for (const t of tallies) for (const note of t.notes) console.log(note);
  if (failures.length) {
    console.log(`FAILED (${failures.length}):`);
    for (const f of failures) {
      console.log(`  ✗ ${f.name}`);
      for (const d of f.details) console.log(`      ${d}`);
    }
  }
  // A breakdown in words other than the closing line's, so only that line reads as the count.
  const parts = tallies
    .filter((t) => t.label !== 'steps' || t.failed)
    .map((t) => `${t.label} ${t.passed} ok / ${t.failed} not ok / ${t.skipped} skipped`);
  console.log(`by source: ${parts.length ? parts.join('; ') : 'nothing ran'}`);
  console.log(`skipped: ${total.skipped}`);
  // CI reads exactly `N passed, N failed` as the last line; skips are on the line above.
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('summary.mjs')) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.log(`summary: FAILED: the summarizer broke: ${err?.stack ?? err}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  }
}
