/** A throwaway CA with a server (127.0.0.1) and a client certificate, made with openssl for TLS tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of the generated PEM files. */
export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Generates the certificates in a new tmpdir (the caller removes `dir`). Needs the openssl binary. */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-certs-'));
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth-cli-test-ca');
  for (const [who, usage] of [['server', 'serverAuth'], ['client', 'clientAuth']] as const) {
    writeFileSync(join(dir, `${who}.ext`), `subjectAltName=IP:127.0.0.1\nextendedKeyUsage=${usage}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`);
  }
  const at = (name: string): string => join(dir, name);
  return {
    dir, ca: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server-key.pem'),
    clientCert: at('client.pem'), clientKey: at('client-key.pem'),
  };
}
