import { Args, Flags } from '@oclif/core';
import { text } from 'node:stream/consumers';
import { INDEX_SERVER, configPath, convertToHostname, readConfig, storedAuth, writeConfig } from '../auth-config.js';
import { BerthCommand } from '../base.js';
import { readLine } from '../prompt.js';

/** What POST /auth answers (the swagger's SystemAuthResponse). */
interface AuthResponse {
  Status: string;
  IdentityToken?: string;
}

/** `berth login`: checks the credentials with POST /auth, then stores them in the config file. */
export default class Login extends BerthCommand {
  static override description = 'Log in to a registry';
  static override examples = ['echo "$PASS" | <%= config.bin %> login -u me --password-stdin 127.0.0.1:5000', '<%= config.bin %> login'];
  static override args = { server: Args.string({ ignoreStdin: true, description: `SERVER (default: ${INDEX_SERVER})` }) };
  static override flags = {
    username: Flags.string({ char: 'u', description: 'username' }),
    password: Flags.string({ char: 'p', description: 'password (prefer --password-stdin)' }),
    'password-stdin': Flags.boolean({ description: 'take the password from stdin' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Login);
    if (flags.password !== undefined && flags['password-stdin']) return this.fail('--password and --password-stdin are mutually exclusive', 1);
    if (flags['password-stdin'] && !flags.username) return this.fail('Must provide --username with --password-stdin', 1);
    if (flags.password !== undefined) this.logToStderr('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
    const stdinPassword = flags['password-stdin'] ? (await text(process.stdin)).replace(/\n$/, '').replace(/\r$/, '') : undefined;
    const [username, password] = await this.credentials(flags.username, flags.password ?? stdinPassword);
    const address = args.server && args.server !== 'docker.io' ? args.server : INDEX_SERVER;
    const client = await this.connect(flags);
    const answer = await client.post<AuthResponse>('/auth', { username, password, serveraddress: address });
    const config = await readConfig();
    const key = address === INDEX_SERVER ? address : convertToHostname(address);
    config.auths = { ...config.auths, [key]: storedAuth(username, password, answer?.IdentityToken) };
    await writeConfig(config);
    this.logToStderr(`WARNING! Your credentials are stored unencrypted in '${configPath()}'.`);
    this.log(answer?.Status || 'Login Succeeded');
  }

  /** The username and password given, asking on the terminal for what is missing. */
  private async credentials(username: string | undefined, password: string | undefined): Promise<[string, string]> {
    if ((username === undefined || password === undefined) && !process.stdin.isTTY) {
      return this.fail('Error: Cannot perform an interactive login from a non TTY device', 1);
    }
    const user = (username ?? (await readLine('Username: '))).trim();
    if (!user) return this.fail('Error: Non-null Username Required', 1);
    const secret = password ?? (await readLine('Password: ', true));
    if (!secret) return this.fail('Error: Password Required', 1);
    return [user, secret];
  }
}
