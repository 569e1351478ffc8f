/**
 * `stigmer endpoints add|list|rm` and `stigmer use ID` against the real headless host: the key is
 * read from stdin (never argv), printed only masked, and the endpoint becomes the provider.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runCli } from '../../src/main/cli/main.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { startFakeOpenAI } from '../doubles/cloud/openai.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { HOST_WAIT_MS, Scope, hostEnv, startHost } from '../support/e2e-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';

const KEY = 'tgp_v1_cliEndpointKey0123456789abcdefgh';
const MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';

/** One `stigmer` command line in this process, with `input` on its stdin. */
async function stigmer(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  stdin.end(input);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const code = await runCli(args, { stdin: stdin as never, stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('stigmer endpoints add (key on stdin), list, use and rm steer the running app', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const together = await startFakeOpenAI({ validKeys: [KEY], models: [MODEL] });
  scope.defer(() => together.close());
  const userDataDir = scope.tempDir();
  const dir = ['--user-data-dir', userDataDir];
  const host = startHost(scope, dir, hostEnv(scope, { ollamaHost: ollama.url }));
  await host.waitForLine('the first runner', (line) => /Runner ready: ollama/.test(line), HOST_WAIT_MS);

  const added = await stigmer(
    ['endpoints', 'add', 'together', '--name', 'Together', '--base-url', together.url, '--models', `${MODEL}, other-model`, '--key', ...dir],
    `${KEY}\n`,
  );
  assert.deepEqual([added.code, added.stderr], [0, '']);
  assert.equal(added.stdout, 'Saved the endpoint together and its key; use it with stigmer use together, or --llm-provider together.\n');

  const listed = await stigmer(['endpoints', 'list', ...dir]);
  assert.equal(listed.stdout, `together  Together  ${together.url}/v1  models: ${MODEL}, other-model  key: ${maskSecret(KEY)}\n`);
  assert.ok(!`${added.stdout}${listed.stdout}${host.stdout}`.includes(KEY), 'the key is never printed');

  const used = await stigmer(['use', 'together', ...dir]);
  assert.deepEqual([used.code, used.stdout], [0, `Using Together ${MODEL}; the runner restarted with it.\n`]);
  await host.waitForLine(
    'the runner on the endpoint',
    (line) => new RegExp(`Runner ready: openai ${escapeRegExp(MODEL)} at ${escapeRegExp(together.url)}/v1`).test(line),
    HOST_WAIT_MS,
  );
  assert.match((await stigmer(['endpoints', 'list', ...dir])).stdout, /^together \(in use\) {2}Together/);

  const bad = await stigmer(['endpoints', 'add', 'Not An Id', '--base-url', together.url, '--models', 'm', ...dir]);
  assert.equal(bad.code, 2, 'a malformed id is a usage error');

  const removed = await stigmer(['endpoints', 'rm', 'together', ...dir]);
  assert.deepEqual([removed.code, removed.stdout], [0, 'Removed the endpoint together and its key.\n']);
  assert.equal((await stigmer(['endpoints', 'list', ...dir])).stdout, 'No endpoints; add one with stigmer endpoints add ID --base-url URL --models MODEL.\n');
});
