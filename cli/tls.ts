/** Reading the client's TLS files (docker's --tls, --tlsverify, --tlscacert, --tlscert, --tlskey). */
import { readFile } from 'node:fs/promises';
import { invalidParameter } from '../protocol/errdefs.js';
import type { TlsOptions } from './client.js';

/** The TLS flags as parsed. */
export interface TlsFlags {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/** True when any TLS flag asks for TLS: naming a certificate file implies wanting it used. */
export function wantsTls(flags: TlsFlags): boolean {
  return Boolean(flags.tls || flags.tlsverify || flags.tlscacert || flags.tlscert || flags.tlskey);
}

/** Loads the TLS material the flags name, or undefined when TLS is not wanted. */
export async function loadTls(flags: TlsFlags): Promise<TlsOptions | undefined> {
  if (!wantsTls(flags)) return undefined;
  if (Boolean(flags.tlscert) !== Boolean(flags.tlskey)) {
    throw invalidParameter('--tlscert and --tlskey must be given together');
  }
  return {
    ca: await readPem('CA certificate', flags.tlscacert),
    cert: await readPem('client certificate', flags.tlscert),
    key: await readPem('client key', flags.tlskey),
    verify: Boolean(flags.tlsverify),
  };
}

async function readPem(what: string, path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    throw invalidParameter(`could not read ${what} "${path}": ${(err as Error).message}`, err);
  }
}
