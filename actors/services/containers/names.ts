import { randomInt } from 'node:crypto';
import { invalidParameter } from '../../../protocol/errdefs.js';

const VALID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** A container name as stored (`/name`); dockerd's rule and message for bad ones. */
export function normalizeName(name: string): string {
  if (!VALID.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}

// Docker names containers adjective_surname; these are our own short lists of the same kind.
const LEFT = ['agile', 'bold', 'brave', 'calm', 'clever', 'eager', 'fervent', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'quirky', 'serene', 'sharp', 'steady', 'swift', 'tender', 'vivid', 'wise', 'zealous'];
const RIGHT = ['babbage', 'curie', 'darwin', 'euclid', 'faraday', 'galois', 'hopper', 'hypatia', 'kepler', 'lamarr', 'lovelace', 'meitner', 'newton', 'noether', 'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

/** A random `adjective_surname` name; `retry` > 0 appends a digit, as dockerd does after a clash. */
export function randomName(retry = 0): string {
  const name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}
