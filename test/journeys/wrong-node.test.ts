/**
 * Journey: a user whose default `node` is older than the project's (Node 20 is still the default
 * on many machines, this CI machine's included) runs the README's commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCommand, tempDir } from '../support/headless.ts';

const REQUIRED = fs.readFileSync(path.join(REPO_ROOT, '.nvmrc'), 'utf8').trim().replace(/^v/, '').split('.')[0]!;

/** The machine's default PATH: without this Node's folder (put first by the toolchain) and this repository's bins. */
const defaultPath = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((entry) => entry && path.resolve(entry) !== path.dirname(process.execPath) && !entry.startsWith(REPO_ROOT))
  .join(path.delimiter);

/** The version of the `node` that PATH finds, if it is older than the required one. */
function olderNode(): string | undefined {
  try {
    const version = execFileSync('node', ['--version'], { env: { PATH: defaultPath }, encoding: 'utf8' }).trim();
    return Number(version.replace(/^v/, '').split('.')[0]) < Number(REQUIRED) ? version : undefined;
  } catch {
    return undefined;
  }
}

const found = olderNode();
const skip = found ? false : `SKIPPED: no Node older than ${REQUIRED} on the default PATH (${defaultPath}), so there is no wrong Node to run`;
if (skip) process.stdout.write(`# wrong-node journey ${skip}\n`);

/** A port nothing listens on: should a check ever let `npm start` through, its download stays on this machine. */
const NOWHERE = 'http://127.0.0.1:9/';
const oldNodeEnv = (): NodeJS.ProcessEnv => ({ PATH: defaultPath, HOME: process.env.HOME ?? os.tmpdir(), ELECTRON_MIRROR: NOWHERE });

for (const command of [['test'], ['start'], ['run', 'headless']]) {
  test(
    `on an older Node, npm ${command.join(' ')} fails at once with one sentence naming Node ${REQUIRED}, the found version and nvm use`,
    { skip },
    async () => {
      const result = await runCommand('npm', command, { cwd: REPO_ROOT, env: oldNodeEnv(), timeoutMs: 60_000 });
      assert.equal(result.code, 1, `exit 1:\n${result.stdout}\n${result.stderr}`);
      const sentence = `Stigmer Desktop needs Node ${REQUIRED} but this is Node ${found!.replace(/^v/, '')}: run \`nvm use\` (it reads .nvmrc) or install Node ${REQUIRED} LTS, then run the command again.`;
      assert.equal(result.stderr.split('\n').filter((line) => line === sentence).length, 1, `the sentence once on stderr:\n${result.stderr}`);
      // The command itself never ran, so none of the errors that do not name the cause.
      assert.doesNotMatch(result.stdout + result.stderr, /ERR_UNKNOWN_FILE_EXTENSION|Electron uninstall|Could not find|Could not download/);
    },
  );
}

test('every npm script that runs TypeScript checks the Node version first', () => {
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
  // Node runs .ts files, and electron-vite loads electron.vite.config.ts; `headless` runs the bundle its pre-script builds with one.
  const runsTypeScript = Object.keys(scripts).filter(
    (name) => !/^(pre|post)/.test(name) && /\.ts\b|electron-vite/.test(`${scripts[name]} ${scripts[`pre${name}`] ?? ''}`),
  );
  assert.ok(runsTypeScript.includes('headless') && runsTypeScript.includes('start'), `found: ${runsTypeScript.join(', ')}`);
  const unchecked = runsTypeScript.filter((name) => !scripts[`pre${name}`]?.startsWith('node scripts/check-node.cjs'));
  assert.deepEqual(unchecked, [], 'each has a pre-script that starts with the check');
});

test(`on an older Node, npm install refuses (engine-strict) instead of warning and succeeding`, { skip }, async (t) => {
  // The manifest alone in a scratch folder: the refusal comes before anything is resolved or written.
  const dir = tempDir(t);
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
  const result = await runCommand('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: oldNodeEnv(), timeoutMs: 60_000 });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /npm error code EBADENGINE/);
  assert.match(result.stderr, new RegExp(`Actual: .*"node":"${found!.replace(/\./g, '\\.')}"`));
  assert.equal(fs.existsSync(path.join(dir, 'node_modules')), false, 'nothing installed');
});

test(`on Node ${REQUIRED} the check is silent: npm run -s headless -- --print-config prints only JSON`, async (t) => {
  const result = await runCommand('npm', ['run', '-s', 'headless', '--', '--print-config', '--user-data-dir', tempDir(t)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).provider.value, 'ollama');
  assert.equal(result.stderr, '');
});
