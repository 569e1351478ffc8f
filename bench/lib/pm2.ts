import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const PM2_BIN = path.resolve(import.meta.dirname, '../../node_modules/pm2/bin/pm2');

export interface Pm2StartOptions {
  /** The executable, then its arguments: run as is (`--interpreter none`), like the supervisor runs a command. */
  argv: [string, ...string[]];
  autorestart: boolean;
  /** PM2's `--restart-delay`. */
  restartDelayMs?: number;
  /** PM2's `--time`: every line of the log file starts with the time, as the app's do. */
  timestamps?: boolean;
}

/**
 * PM2 from npm in a private PM2_HOME, so it neither sees nor disturbs another PM2 on the
 * machine. Each app's stdout goes to `<name>-out.log` in that home.
 */
export class Pm2 {
  readonly home: string;

  private constructor(home: string) {
    this.home = home;
  }

  /** Undefined, with the reason, when PM2 is not installed or its daemon does not start. */
  static async open(): Promise<{ pm2: Pm2 } | { reason: string }> {
    if (!fs.existsSync(PM2_BIN)) return { reason: `PM2 is not installed (${PM2_BIN} is missing; run npm install)` };
    const pm2 = new Pm2(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-pm2-')));
    try {
      await pm2.#run(['ping']);
      return { pm2 };
    } catch (error) {
      await pm2.close();
      return { reason: `the PM2 daemon did not start: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  static async version(): Promise<string> {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../node_modules/pm2/package.json'), 'utf8')) as { version: string };
    return version;
  }

  outLog(name: string): string {
    return path.join(this.home, `${name}-out.log`);
  }

  async start(name: string, options: Pm2StartOptions): Promise<void> {
    const [file, ...args] = options.argv;
    await this.#run([
      'start',
      file,
      '--name',
      name,
      '--interpreter',
      'none',
      '--output',
      this.outLog(name),
      '--error',
      path.join(this.home, `${name}-err.log`),
      ...(options.autorestart ? [] : ['--no-autorestart']),
      ...(options.restartDelayMs !== undefined ? ['--restart-delay', String(options.restartDelayMs)] : []),
      ...(options.timestamps ? ['--time'] : []),
      '--',
      ...args,
    ]);
  }

  async delete(name: string): Promise<void> {
    await this.#run(['delete', name]);
  }

  /** Stops every app and the daemon, and removes the private home. */
  async close(): Promise<void> {
    await this.#run(['kill']).catch(() => undefined);
    fs.rmSync(this.home, { recursive: true, force: true });
  }

  async #run(args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [PM2_BIN, ...args], {
      env: { ...process.env, PM2_HOME: this.home, PM2_DISCRETE_MODE: 'true' },
      timeout: 60_000,
    });
    return stdout;
  }
}
