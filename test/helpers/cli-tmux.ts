/**
 * A real terminal for interactive CLI tests: a tmux server of our own (its own socket in a tmpdir,
 * so no other tmux is touched and nothing is left behind) running one command in a fixed-size pane.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A pane running the command. */
export interface TmuxPane {
  /** Types keys as tmux's send-keys names them (`Enter`, `C-p`, or literal text). */
  send(...keys: string[]): void;
  /** The visible text of the pane. */
  screen(): string;
  /** Waits until the screen matches, or fails after `ms` with what the screen showed. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Resizes the pane's window. */
  resize(cols: number, rows: number): void;
  /** Ends the tmux server (and with it the command, if still running). */
  close(): void;
}

/** Why interactive tests must skip, or false when tmux is installed. */
export function tmuxProbe(): false | string {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'needs tmux (apt-get install tmux)';
  }
}

/** Starts `command` (a shell command line) in a new tmux server's pane of cols × rows. */
export function startTmux(command: string, cols = 100, rows = 30, env: Record<string, string> = {}): TmuxPane {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tmux-'));
  const socket = join(dir, 'tmux.sock');
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  tmux('new-session', '-d', '-s', 'main', '-x', String(cols), '-y', String(rows), command);
  const pane: TmuxPane = {
    send: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    screen: () => tmux('capture-pane', '-p', '-t', 'main'),
    async waitFor(pattern, ms = 15_000) {
      const deadline = Date.now() + ms;
      let text = '';
      while (Date.now() < deadline) {
        text = (() => {
          try {
            return pane.screen();
          } catch {
            return text; // the server is gone once the command ended and the pane closed
          }
        })();
        if (pattern.test(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the terminal never showed ${pattern}; it showed:\n${text}`);
    },
    resize: (c, r) => void tmux('resize-window', '-t', 'main', '-x', String(c), '-y', String(r)),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      // tmux leaves its socket file behind when killed.
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pane;
}
