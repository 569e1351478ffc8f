/**
 * Issue 22 §3–4: every report names the model the runner gets, with why, and `--doctor` checks
 * the provider in use, the cloud's endpoint and key included (doubles on loopback only).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { cleanEnv, runHeadlessCli, tempDir } from '../support/headless.ts';
import { DoctorReportSchema } from '../../src/shared/doctor.ts';

const SLEEPER = path.resolve(import.meta.dirname, '../runner/fixtures/sleeper.ts');
const WHY = 'llama3.2 is not installed, using the first installed model';

test('--print-config gives the model the runner gets: llama3.2 not installed → the first installed model, with why', async (t) => {
  const fake = await startFakeOllama({ models: ['phi3:mini', 'qwen2.5:0.5b'] });
  t.after(() => fake.close());
  const result = await runHeadlessCli(['--print-config', '--user-data-dir', tempDir(t)], cleanEnv({ OLLAMA_HOST: fake.url }));
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  assert.deepEqual(json.model, { value: 'phi3:mini', source: 'default', pinned: false, why: WHY });
});

test('--print-config resolves an alias with the installed models; when Ollama does not answer, it says so', async (t) => {
  const fake = await startFakeOllama({ models: ['phi3:mini'] });
  t.after(() => fake.close());
  const answered = JSON.parse(
    (await runHeadlessCli(['--print-config', '--llm-model=fast', '--user-data-dir', tempDir(t)], cleanEnv({ OLLAMA_HOST: fake.url }))).stdout,
  );
  assert.equal(answered.model.alias.alias, 'fast');
  assert.doesNotMatch(answered.model.alias.basis, /not known/, 'the installed models were asked for');
  assert.equal(answered.model.why, undefined);

  const closed = `127.0.0.1:${await freePort()}`;
  const silent = JSON.parse(
    (await runHeadlessCli(['--print-config', '--llm-model=fast', '--user-data-dir', tempDir(t)], cleanEnv({ OLLAMA_HOST: closed }))).stdout,
  );
  assert.match(
    silent.model.why,
    new RegExp(`^Ollama does not answer at http://${closed} \\(connection refused, nothing listens there\\), so the installed models are not known`),
  );
  // A model named outright does not depend on what is installed: no why.
  const named = JSON.parse(
    (await runHeadlessCli(['--print-config', '--llm-model=mistral', '--user-data-dir', tempDir(t)], cleanEnv({ OLLAMA_HOST: closed }))).stdout,
  );
  assert.equal(named.model.why, undefined);
});

test('the startup line names the model the runner gets, with why', async (t) => {
  const scope = new Scope(t);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['phi3:mini'] } });
  const host = startHost(scope, ['--user-data-dir', scope.tempDir()], env);
  await host.waitForLine('the configuration with the installed model', (line) => line.includes(`model phi3:mini (default: ${WHY})`));
  const ready = await host.waitForLine('the runner to start', (line) => line.includes('Runner ready:'));
  assert.match(ready, /ollama phi3:mini/, 'the runner got the model the line named');
  await host.stop();
});

test('--doctor checks the cloud key: accepted → ok, rejected → error, offline → warning; no Ollama lines for a cloud user', async (t) => {
  const anthropic = await startFakeAnthropic({ validKeys: [FAKE_ANTHROPIC_KEY] });
  t.after(() => anthropic.close());
  const doctor = async (key: string, baseUrl: string) => {
    const env = cleanEnv({
      PATH: `${FAKE_OLLAMA_BIN_DIR}:${process.env.PATH ?? ''}`,
      ANTHROPIC_API_KEY: key,
      ANTHROPIC_BASE_URL: baseUrl,
      OLLAMA_HOST: `127.0.0.1:${await freePort()}`,
    });
    const dir = tempDir(t);
    const text = await runHeadlessCli(['--doctor', '--user-data-dir', dir], env);
    const json = DoctorReportSchema.parse(JSON.parse((await runHeadlessCli(['--doctor', '--json', '--user-data-dir', dir], env)).stdout));
    assert.ok(!text.stdout.includes(key) && !JSON.stringify(json).includes(key), 'the key is never printed whole');
    assert.deepEqual(
      json.checks.filter((item) => item.name.startsWith('ollama')),
      [],
      `no Ollama lines for a cloud user:\n${text.stdout}`,
    );
    return { text, check: json.checks.find((item) => item.name === 'anthropic-key') };
  };

  const accepted = await doctor(FAKE_ANTHROPIC_KEY, anthropic.url);
  assert.equal(accepted.check?.status, 'ok', accepted.text.stdout);
  assert.match(accepted.check?.detail ?? '', /^Anthropic at http:\/\/127\.0\.0\.1:\d+ accepted the key sk-ant-…/);
  assert.equal(accepted.text.code, 0);

  const rejected = await doctor(`${FAKE_ANTHROPIC_KEY.slice(0, -6)}WRONG0`, anthropic.url);
  assert.equal(rejected.check?.status, 'error', rejected.text.stdout);
  assert.equal(rejected.text.code, 1);
  assert.match(rejected.text.stdout, /1 error\(s\)/);

  const offline = await doctor(FAKE_ANTHROPIC_KEY, `http://127.0.0.1:${await freePort()}`);
  assert.equal(offline.check?.status, 'warn', offline.text.stdout);
  assert.match(offline.check?.detail ?? '', /not verified/);
  assert.equal(offline.text.code, 0, 'offline is a warning, not an error');
  assert.doesNotMatch(offline.text.stdout, /All checks passed/);
});

test('a custom runner started without its model is told in the terminal; an Ollama this app did not start is not said to have stopped', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['phi3:mini'] });
  t.after(() => ollama.close());
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: new URL(ollama.url).host });
  const host = startHost(scope, ['--runner-command', `${process.execPath} ${SLEEPER}`, '--user-data-dir', userDataDir], env);
  const notice = await host.waitForLine('the missing model told', (line) => line.includes('The runner command was started with model llama3.2'));
  assert.match(
    notice,
    /WARN .*which the Ollama at http:\/\/127\.0\.0\.1:\d+ does not have: its requests to Ollama fail until llama3\.2 is pulled \(ollama pull llama3\.2\)/,
  );
  await host.waitForLine('the runner up', (line) => line.includes('[runner] ready'));
  await host.stop();
  assert.doesNotMatch(host.stdout, /Ollama stopped/, 'the external Ollama still runs');
  assert.match(host.stdout, /No longer watching Ollama at http:\/\/127\.0\.0\.1:\d+: this app did not start it, so it keeps running/);
  assert.equal((await fetch(`${ollama.url}/api/version`)).status, 200, 'and it does');
});
