/**
 * HostConfig.LogConfig as dockerd checks it at create, with its messages: berth has the json-file
 * driver (rotated by the shim: max-size, max-file) and none. The options reach the shim as spec
 * annotations (native/src/bin/berth-helper/logfile.rs reads them).
 */
import { invalidParameter } from '../../../protocol/errdefs.js';

/** A container's log driver and its options, as inspect shows them. */
export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** Annotation: the log driver ("none": the shim keeps no log). */
export const ANNOTATION_LOG_DRIVER = 'berth.log.driver';
/** Annotation: max-size in bytes. */
export const ANNOTATION_LOG_MAX_SIZE = 'berth.log.max-size';
/** Annotation: max-file. */
export const ANNOTATION_LOG_MAX_FILE = 'berth.log.max-file';

/** The options dockerd's json-file driver takes (labels, env and tag are accepted; berth adds no attributes for them yet, issue 5). */
const JSON_FILE_OPTS = ['max-file', 'max-size', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'];
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** A size such as "10m" or "1.5kb" in bytes, by go-units' FromHumanSize (decimal units) and its messages. */
export function fromHumanSize(size: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => size.lastIndexOf(c)));
  if (sep < 0) throw invalidParameter(`invalid size: '${size}'`);
  const num = size.slice(0, sep + 1).trim();
  let sfx = size.slice(sep + 1);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num)) throw invalidParameter(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  const n = Number(num);
  if (n < 0) throw invalidParameter(`invalid size: '${size}'`);
  if (!sfx) return Math.trunc(n);
  sfx = sfx.toLowerCase();
  const mul = sfx[0] === 'b' && sfx.length === 1 ? 1 : DECIMAL[sfx[0]!];
  const tailOk = sfx.length === 1 || (sfx.length === 2 && sfx[1] === 'b') || (sfx.length === 3 && sfx.slice(1) === 'ib');
  if (mul === undefined || !tailOk || sfx.length > 3) throw invalidParameter(`invalid suffix: '${sfx}'`);
  return Math.trunc(n * mul);
}

function atoi(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw invalidParameter(`strconv.Atoi: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** The json-file options dockerd's driver would refuse to start with, refused at create instead. */
function checkJsonFile(cfg: Record<string, string>): void {
  for (const key of Object.keys(cfg)) if (!JSON_FILE_OPTS.includes(key)) throw invalidParameter(`unknown log opt '${key}' for json-file log driver`);
  const size = cfg['max-size'] === undefined ? -1 : fromHumanSize(cfg['max-size']);
  if (cfg['max-size'] !== undefined && size <= 0) throw invalidParameter('max-size must be a positive number');
  const files = cfg['max-file'] === undefined ? 1 : atoi(cfg['max-file']);
  if (files < 1) throw invalidParameter('max-file cannot be less than 1');
  const compress = cfg.compress;
  if (compress === undefined) return;
  if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(compress)) throw invalidParameter(`strconv.ParseBool: parsing "${compress}": invalid syntax`);
  const on = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(compress);
  if (on && (files === 1 || size === -1)) throw invalidParameter('compress cannot be true when max-file is less than 2 or max-size is not set');
  if (on) throw invalidParameter('compress is not supported by the json-file log driver of berth: rotated logs are kept uncompressed');
}

/**
 * The container's LogConfig: the request's, else the daemon's default (json-file), checked as
 * dockerd does (mode, driver, options); 400 with dockerd's words otherwise.
 */
export function logConfigAtCreate(req: { Type?: string; Config?: Record<string, string> | null } | undefined, daemonDefault: LogConfig = { Type: 'json-file', Config: {} }): LogConfig {
  const lc: LogConfig = req?.Type ? { Type: req.Type, Config: { ...(req.Config ?? {}) } } : { Type: daemonDefault.Type, Config: { ...daemonDefault.Config, ...(req?.Config ?? {}) } };
  if (lc.Type === 'none') return lc;
  const { mode, 'max-buffer-size': buffer, ...opts } = lc.Config;
  if (mode !== undefined && !['', 'blocking', 'non-blocking'].includes(mode)) throw invalidParameter(`logger: logging mode not supported: ${mode}`);
  if (buffer !== undefined && mode !== 'non-blocking') throw invalidParameter(`logger: max-buffer-size option is only supported with 'mode=non-blocking'`);
  if (lc.Type !== 'json-file') throw invalidParameter(`logger: no log driver named '${lc.Type}' is registered`);
  checkJsonFile(opts);
  return lc;
}

/** The spec annotations that tell the shim how to keep the log. */
export function logAnnotations(lc: Partial<LogConfig> | undefined): Record<string, string> {
  if (lc?.Type === 'none') return { [ANNOTATION_LOG_DRIVER]: 'none' };
  const out: Record<string, string> = {};
  const cfg = lc?.Config ?? {};
  if (cfg['max-size'] !== undefined) out[ANNOTATION_LOG_MAX_SIZE] = String(fromHumanSize(cfg['max-size']));
  if (cfg['max-file'] !== undefined) out[ANNOTATION_LOG_MAX_FILE] = String(atoi(cfg['max-file']));
  return out;
}
