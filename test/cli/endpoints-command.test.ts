/**
 * `stigmer endpoints add|list|check|rm` and `stigmer use ID [--model M]` against the real headless
 * host: the key is read from stdin (never argv), printed only masked, and the endpoint becomes the
 * provider; `check` asks the server itself.
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
import { freePort } from '../ollama/support.ts';

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

  // Another of its models: named with --model, remembered for the endpoint; one it does not list is refused.
  const other = await stigmer(['use', 'together', '--model', 'other-model', ...dir]);
  assert.deepEqual([other.code, other.stdout], [0, 'Using Together other-model; the runner restarted with it.\n']);
  await host.waitForLine('the runner on the second model', (line) => /Runner ready: openai other-model at /.test(line), HOST_WAIT_MS);
  const unlisted = await stigmer(['use', 'together', '--model', 'gpt-9', ...dir]);
  assert.equal(unlisted.code, 1);
  assert.match(unlisted.stderr, /Together lists no model "gpt-9"; it lists meta-llama\/Llama-3\.3-70B-Instruct-Turbo, other-model\./);

  const bad = await stigmer(['endpoints', 'add', 'Not An Id', '--base-url', together.url, '--models', 'm', ...dir]);
  assert.equal(bad.code, 2, 'a malformed id is a usage error');

  const removed = await stigmer(['endpoints', 'rm', 'together', ...dir]);
  assert.deepEqual([removed.code, removed.stdout], [0, 'Removed the endpoint together and its key.\n']);
  assert.equal((await stigmer(['endpoints', 'list', ...dir])).stdout, 'No endpoints; add one with stigmer endpoints add ID --base-url URL --models MODEL.\n');
});

test('stigmer endpoints check asks the server with the key: accepted, a listed model it lacks, a rejected key, no answer', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  // A proxy that echoes the whole key in its 401, as some do: the check must still not show it.
  const server = await startFakeOpenAI({ validKeys: [KEY], models: [MODEL, 'small-model'], echoFullKeyInErrors: true });
  scope.defer(() => server.close());
  const dir = ['--user-data-dir', scope.tempDir()];
  const host = startHost(scope, dir, hostEnv(scope, { ollamaHost: ollama.url }));
  await host.waitForLine('the first runner', (line) => /Runner ready: ollama/.test(line), HOST_WAIT_MS);
  const add = async (id: string, baseUrl: string, models: string, key?: string) =>
    assert.equal(
      (
        await stigmer(
          ['endpoints', 'add', id, '--name', id.toUpperCase(), '--base-url', baseUrl, '--models', models, ...(key ? ['--key'] : []), ...dir],
          key ?? '',
        )
      ).code,
      0,
    );
  const wrongKey = 'tgp_v1_wrongEndpointKey9876543210zyxwvu';
  await add('good', server.url, `${MODEL},small-model`, KEY);
  await add('lacking', server.url, `${MODEL},gpt-9`, KEY);
  await add('wrong', server.url, MODEL, wrongKey);
  await add('gone', `http://127.0.0.1:${await freePort()}/v1`, MODEL);

  const good = await stigmer(['endpoints', 'check', 'good', ...dir]);
  assert.deepEqual([good.code, good.stdout], [0, 'GOOD answered and accepted the key: 2 models offered.\n']);
  const lacking = await stigmer(['endpoints', 'check', 'lacking', ...dir]);
  assert.equal(lacking.code, 1);
  assert.equal(
    lacking.stderr,
    `LACKING answered and accepted the key: 2 models offered. It does not offer "gpt-9".\nAdd the endpoint again with models it offers (${MODEL}, small-model).\n`,
  );
  const wrong = await stigmer(['endpoints', 'check', 'wrong', ...dir]);
  assert.equal(wrong.code, 1);
  assert.equal(
    wrong.stderr,
    'The WRONG API key was rejected (401); check or replace it\nAdd WRONG again with a valid key: in Settings, or stigmer endpoints add wrong … --key.\n',
  );
  const gone = await stigmer(['endpoints', 'check', 'gone', ...dir]);
  assert.equal(gone.code, 1);
  assert.match(
    gone.stderr,
    /^Cannot reach http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)\nCheck that GONE is running and answers at http:\/\/127\.0\.0\.1:\d+\/v1\.\n$/,
  );
  assert.ok(![host.stdout, good.stdout, lacking.stderr, wrong.stderr, gone.stderr].join('').includes(wrongKey), 'the key the proxy echoes is shown nowhere');
  assert.ok(!host.stdout.includes(KEY), 'no key in the host output');
});
