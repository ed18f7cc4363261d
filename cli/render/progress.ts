/**
 * The JSON message stream of pull, push, load and import, shown as docker's jsonmessage package shows
 * it. On a terminal each layer id keeps one line, redrawn in place with cursor moves; elsewhere
 * progress bars are left out and every status is a plain line.
 */
import { humanSize } from './humanize.js';

/** One message of the stream (docker's JSONMessage; the daemon's ProgressMessage). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  from?: string;
  progressDetail?: ProgressDetail | null;
  /** The daemon's own rendering of the bar (what old clients print). */
  progress?: string;
  errorDetail?: { code?: number; message?: string } | null;
  error?: string;
  aux?: unknown;
}

/** Counters of a progress message. */
export interface ProgressDetail {
  current?: number;
  total?: number;
  units?: string;
  hidecounts?: boolean;
}

const ESC = '\x1b[';
const CLEAR_LINE = `${ESC}2K`;
const up = (n: number): string => (n === 0 ? '' : `${ESC}${n}A`);
const down = (n: number): string => (n === 0 ? '' : `${ESC}${n}B`);
const BAR_WIDTH = 50;
// docker draws the bar only on terminals wider than this; the counts always show.
const MIN_BAR_COLUMNS = 110;

/** docker's JSONProgress.String: `[==>   ]  1.2MB/3.4MB` on a terminal `columns` wide. */
export function progressString(detail: ProgressDetail, columns: number): string {
  const current = detail.current ?? 0;
  const total = detail.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return detail.units ? `${current} ${detail.units}` : humanSize(current).padStart(8);
  const filled = Math.min(BAR_WIDTH, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const bar = columns > MIN_BAR_COLUMNS ? `[${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled)}] ` : '';
  return bar + counts(detail, current, total);
}

function counts(detail: ProgressDetail, current: number, total: number): string {
  if (detail.hidecounts) return '';
  if (detail.units) return `${current}/${total} ${detail.units}`;
  const shown = humanSize(current).padStart(8);
  // A current past the total is a daemon's rounding: docker then shows the current alone.
  return current > total ? shown : `${shown}/${humanSize(total)}`;
}

/** The message an error in the stream carries (docker's wording for a 401), or undefined. */
export function streamError(msg: JsonMessage): string | undefined {
  if (msg.errorDetail) return msg.errorDetail.code === 401 ? 'authentication is required' : (msg.errorDetail.message ?? msg.error ?? '');
  return msg.error || undefined;
}

/** Renders messages one at a time; holds the line of each layer id while a progress run lasts. */
export class MessageDisplay {
  private ids = new Map<string, number>();

  /** `tty`: draw in place; `columns`: the terminal's width (docker assumes 200 when unknown). */
  constructor(private readonly tty: boolean, private readonly columns = 200) {}

  /** The text to write for one message (no error handling: see streamError). */
  render(msg: JsonMessage): string {
    if (msg.aux !== undefined) return '';
    let before = '';
    let diff = 0;
    if (msg.id && (msg.progressDetail || msg.progress)) {
      let line = this.ids.get(msg.id);
      if (line === undefined) {
        line = this.ids.size;
        this.ids.set(msg.id, line);
        if (this.tty) before = '\n';
      }
      diff = this.ids.size - line;
      if (this.tty) before += up(diff);
    } else {
      // Anything else ends the run: later progress must not redraw lines of an earlier one.
      this.ids.clear();
    }
    const after = msg.id && this.tty ? down(diff) : '';
    return before + this.line(msg) + after;
  }

  /** docker's JSONMessage.Display. */
  private line(msg: JsonMessage): string {
    const detail = msg.progressDetail;
    let text = '';
    let endl = '';
    if (this.tty && !msg.stream && detail) {
      text = `${CLEAR_LINE}\r`;
      endl = '\r';
    } else if (detail && progressString(detail, this.columns) !== '') {
      return ''; // no bars off a terminal
    }
    if (msg.id) text += `${msg.id}: `;
    if (msg.from) text += `(from ${msg.from}) `;
    const status = msg.status ?? '';
    if (detail && this.tty) return `${text}${status} ${progressString(detail, this.columns)}${endl}`;
    if (msg.progress) return `${text}${status} ${msg.progress}${endl}`;
    if (msg.stream) return `${text}${msg.stream}${endl}`;
    return `${text}${status}${endl}\n`;
  }
}
