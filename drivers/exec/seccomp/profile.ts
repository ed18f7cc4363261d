/**
 * Seccomp profiles in Docker's JSON format (what `--security-opt seccomp=profile.json` sends):
 * the types, and the parser that checks a profile when the container is created, so a bad one is a
 * 400 then rather than a failed start.
 */
import { invalidParameter } from '../../../protocol/errdefs.js';

/** An argument condition: argument `index` compared with `value` (MASKED_EQ: `(arg & value) == valueTwo`). */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

/** When a rule applies: all these capabilities in the bounding set, this architecture, at least this kernel. */
export interface SeccompCondition {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

/** One rule: these syscalls (under these argument conditions) get this action. */
export interface SeccompSyscall {
  /** The old single-name form; Docker accepts it instead of `names`. */
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: SeccompCondition;
  excludes?: SeccompCondition;
  comment?: string;
}

/** A profile in Docker's format (archMap and architectures are accepted and not used: the filter is for the native ABI). */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[] | null;
  archMap?: unknown;
  syscalls?: SeccompSyscall[] | null;
}

/** The actions the helper can compile (SCMP_ACT_NOTIFY needs a listener berth does not have). */
export const ACTIONS = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE'];

/** The argument comparisons. */
export const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function bad(why: string): Error {
  return invalidParameter(`invalid seccomp profile: ${why}`);
}

function checkAction(action: unknown, where: string): void {
  if (typeof action !== 'string' || !ACTIONS.includes(action)) throw bad(`${where}: unknown action ${JSON.stringify(action)}`);
}

function checkArg(a: unknown, where: string): void {
  if (!isObject(a)) throw bad(`${where}: an argument condition must be an object`);
  if (!isCount(a.index) || a.index > 5) throw bad(`${where}: argument index ${JSON.stringify(a.index)} is not 0-5`);
  if (!isCount(a.value) || (a.valueTwo !== undefined && !isCount(a.valueTwo))) throw bad(`${where}: argument values must be non-negative integers`);
  if (typeof a.op !== 'string' || !OPERATORS.includes(a.op)) throw bad(`${where}: unknown operator ${JSON.stringify(a.op)}`);
}

function checkCondition(c: unknown, where: string): void {
  if (c === undefined || c === null) return;
  if (!isObject(c)) throw bad(`${where} must be an object`);
  for (const key of ['caps', 'arches'] as const) if (c[key] != null && !isStrings(c[key])) throw bad(`${where}.${key} must be a list of strings`);
  if (c.minKernel != null && (typeof c.minKernel !== 'string' || !/^\d+\.\d+/.test(c.minKernel))) throw bad(`${where}.minKernel ${JSON.stringify(c.minKernel)} is not a kernel version`);
}

function checkRule(r: unknown, i: number): void {
  const where = `syscalls[${i}]`;
  if (!isObject(r)) throw bad(`${where} must be an object`);
  const hasNames = Array.isArray(r.names) && r.names.length > 0;
  if (r.name && hasNames) throw bad(`${where}: use either 'name' or 'names'`);
  if (r.name !== undefined && typeof r.name !== 'string') throw bad(`${where}.name must be a string`);
  if (r.names != null && !isStrings(r.names)) throw bad(`${where}.names must be a list of strings`);
  if (!r.name && !hasNames) throw bad(`${where} names no syscall`);
  checkAction(r.action, where);
  if (r.errnoRet != null && !isCount(r.errnoRet)) throw bad(`${where}.errnoRet must be a non-negative integer`);
  if (r.args != null && !Array.isArray(r.args)) throw bad(`${where}.args must be a list`);
  (r.args ?? []).forEach((a: unknown) => checkArg(a, where));
  checkCondition(r.includes, `${where}.includes`);
  checkCondition(r.excludes, `${where}.excludes`);
}

/** Parses and checks a profile's JSON text; every mistake is an InvalidParameter naming the field. */
export function parseSeccompProfile(text: string): SeccompProfile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(`decoding failed: ${(e as Error).message}`);
  }
  if (!isObject(v)) throw bad('the profile must be a JSON object');
  checkAction(v.defaultAction, 'defaultAction');
  if (v.defaultErrnoRet != null && !isCount(v.defaultErrnoRet)) throw bad('defaultErrnoRet must be a non-negative integer');
  if (v.architectures != null && !isStrings(v.architectures)) throw bad('architectures must be a list of strings');
  if (v.architectures?.length && v.archMap) throw bad("both 'architectures' and 'archMap' are specified");
  if (v.syscalls != null && !Array.isArray(v.syscalls)) throw bad('syscalls must be a list');
  (v.syscalls ?? []).forEach(checkRule);
  return v as unknown as SeccompProfile;
}
