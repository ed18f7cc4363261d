/**
 * Registry credentials in the CLI's config file, kept as docker keeps them in ~/.docker/config.json:
 * `{"auths": {"<registry>": {"auth": base64("user:password")}}}`, Docker Hub under its index URL and
 * any other registry under host[:port]. pull, push and search send them as X-Registry-Auth.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { invalidParameter } from '../protocol/errdefs.js';
import type { AuthConfig } from '../protocol/types/image.js';
import { DEFAULT_DOMAIN } from '../protocol/reference.js';

/** Docker Hub's key in `auths` (docker's registry.IndexServer). */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** One entry of `auths`. */
export interface StoredAuth {
  auth?: string;
  identitytoken?: string;
  email?: string;
}

/** The config file; fields other than `auths` are kept as they are. */
export interface ConfigFile {
  auths?: Record<string, StoredAuth>;
  [key: string]: unknown;
}

/** The config file's path: $BERTH_CONFIG/config.json (like DOCKER_CONFIG), else ~/.berth/config.json. */
export function configPath(): string {
  return join(process.env.BERTH_CONFIG || join(homedir(), '.berth'), 'config.json');
}

/** Reads the config file; a missing file is an empty config. */
export async function readConfig(path = configPath()): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    return JSON.parse(text) as ConfigFile;
  } catch {
    throw invalidParameter(`loading config file ${path}: not valid JSON`);
  }
}

/** Writes the config file atomically, readable by its owner only (it holds passwords). */
export async function writeConfig(config: ConfigFile, path = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  // Tab-indented, as docker writes its own.
  await writeFile(temp, JSON.stringify(config, null, '\t'), { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** docker's ConvertToHostname: `https://host:5000/v2/` → `host:5000`. */
export function convertToHostname(address: string): string {
  return address.replace(/^https?:\/\//, '').split('/')[0] ?? '';
}

/** The `auths` key for a registry domain of a reference (`docker.io` → the Hub's index URL). */
export function registryKey(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === 'index.docker.io' ? INDEX_SERVER : domain;
}

/** The stored credentials for a key, also found under the older `http(s)://host/…` spellings. */
export function credentialsFor(config: ConfigFile, key: string): AuthConfig {
  const auths = config.auths ?? {};
  const stored = auths[key] ?? Object.entries(auths).find(([name]) => convertToHostname(name) === key)?.[1];
  if (!stored) return {};
  const [username = '', password = ''] = splitAuth(stored.auth);
  return omitEmpty({ username, password, serveraddress: key, identitytoken: stored.identitytoken });
}

function splitAuth(auth: string | undefined): string[] {
  if (!auth) return [];
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw invalidParameter('invalid auth configuration file: an auth entry is not base64("user:password")');
  return [text.slice(0, colon), text.slice(colon + 1)];
}

function omitEmpty(auth: AuthConfig): AuthConfig {
  return Object.fromEntries(Object.entries(auth).filter(([, value]) => value)) as AuthConfig;
}

/** The entry to store for a login (`auth` still holds the user when the registry gave a token). */
export function storedAuth(username: string, password: string, identityToken?: string): StoredAuth {
  const secret = identityToken ? '' : password;
  const entry: StoredAuth = { auth: Buffer.from(`${username}:${secret}`).toString('base64') };
  if (identityToken) entry.identitytoken = identityToken;
  return entry;
}

/**
 * The X-Registry-Auth value: base64url (with padding, as Go's URLEncoding) of the JSON AuthConfig,
 * in Go's field order; `e30=` (`{}`) when nothing is stored.
 */
export function encodeAuth(auth: AuthConfig): string {
  const ordered = omitEmpty({
    username: auth.username, password: auth.password, auth: auth.auth, email: auth.email,
    serveraddress: auth.serveraddress, identitytoken: auth.identitytoken, registrytoken: auth.registrytoken,
  });
  return Buffer.from(JSON.stringify(ordered)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The X-Registry-Auth header value for a registry domain, from the config file. */
export async function registryAuthHeader(domain: string): Promise<string> {
  return encodeAuth(credentialsFor(await readConfig(), registryKey(domain)));
}
