/** Questions on the terminal: docker's [y/N] confirmations and login's username/password prompts. */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Writes `prompt` on stdout and reads one line of stdin ('' when stdin ends first). `silent` keeps a
 * terminal from echoing what is typed (a password).
 */
export async function readLine(prompt: string, silent = false): Promise<string> {
  process.stdout.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const terminal = silent && process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: terminal ? muted : undefined, terminal });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
    if (terminal) process.stdout.write('\n');
  }
}

/** docker's PromptForConfirmation: `<message> [y/N] `, true only for y or Y. */
export async function confirm(message: string): Promise<boolean> {
  const answer = await readLine(`${message} [y/N] `);
  return ['y', 'Y'].includes(answer.trim());
}
