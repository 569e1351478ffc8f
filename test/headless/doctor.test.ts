import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DoctorReportSchema } from '../../src/shared/doctor.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { REPO_ROOT, cleanEnv, runHeadlessCli, tempDir } from '../support/headless.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-DOCTOR-in-the-command-000000-k3y9';
const RUNNER_SCRIPT = path.join(REPO_ROOT, 'test/runner/fixtures/sleeper.ts');

test('--doctor masks a key written inside --runner-command, in text and in JSON', async (t) => {
  const dir = tempDir(t);
  const args = ['--doctor', '--user-data-dir', dir, '--runner-command', `${process.execPath} ${RUNNER_SCRIPT} --api-key=${ANTHROPIC_KEY}`];
  const env = cleanEnv({ ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  for (const format of [[], ['--json']]) {
    const result = await runHeadlessCli([...args, ...format], env);
    assert.ok(
      !result.stdout.includes(ANTHROPIC_KEY) && !result.stderr.includes(ANTHROPIC_KEY),
      `no key in the ${format[0] ?? 'text'} report:\n${result.stdout}`,
    );
    assert.ok(result.stdout.includes(`--api-key=${maskSecret(ANTHROPIC_KEY)}`), `the command is still recognisable:\n${result.stdout}`);
    if (format.length > 0) {
      const report = DoctorReportSchema.parse(JSON.parse(result.stdout));
      assert.deepEqual(report.runner.command, [process.execPath, RUNNER_SCRIPT, `--api-key=${maskSecret(ANTHROPIC_KEY)}`]);
      assert.equal(report.checks.find((check) => check.name === 'runner')?.status, 'ok');
    }
  }
});

test("--doctor looks for Ollama where the app and the runner would: ADR 019's LLM_BASE_URL beside an Anthropic key", async (t) => {
  const fake = await startFakeOllama({ models: ['llama3.2'] });
  t.after(() => fake.close());
  const env = cleanEnv({ PATH: `${FAKE_OLLAMA_BIN_DIR}:${process.env.PATH ?? ''}`, ANTHROPIC_API_KEY: ANTHROPIC_KEY, LLM_BASE_URL: `${fake.url}/v1` });
  const result = await runHeadlessCli(['--doctor', '--json', '--user-data-dir', tempDir(t)], env);
  const report = DoctorReportSchema.parse(JSON.parse(result.stdout));
  assert.equal(report.config.provider.value, 'anthropic');
  assert.equal(report.config.baseUrl.value, 'https://api.anthropic.com', 'the Anthropic key is not pointed at Ollama');
  assert.equal(report.ollama.url, fake.url);
  assert.equal(report.ollama.server.reachable, true);
  const configuration = report.checks.find((check) => check.name === 'configuration');
  assert.equal(configuration?.status, 'warn');
  assert.match(configuration?.detail ?? '', /LLM_BASE_URL=.* is not used for Anthropic/);
});

test('--doctor has a line for the runner control channel: on or off, and which layer said so', async (t) => {
  const dir = tempDir(t);
  const runner = `${process.execPath} ${RUNNER_SCRIPT}`;
  const save = (settings: Record<string, unknown>) =>
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...defaultSettings(), firstRunCompleted: true, ...settings }));
  const channelLine = async (args: string[], env: Record<string, string> = {}) => {
    const text = await runHeadlessCli(['--doctor', '--user-data-dir', dir, ...args], cleanEnv(env));
    const json = DoctorReportSchema.parse(JSON.parse((await runHeadlessCli(['--doctor', '--json', '--user-data-dir', dir, ...args], cleanEnv(env))).stdout));
    const check = json.checks.find((item) => item.name === 'runner-control-channel');
    assert.ok(check, json.checks.map((item) => item.name).join(', '));
    assert.ok(text.stdout.includes(`runner-control-channel  ${check.detail}`), text.stdout);
    return { check, channel: json.runner.controlChannel };
  };

  save({ runner: { command: runner, controlChannel: true } });
  const saved = await channelLine([]);
  assert.deepEqual(saved.channel, { enabled: true, source: 'settings' });
  assert.match(saved.check.detail, /^on \(settings\): the runner gets a JSON-lines socket on fd 3 \(STIGMER_CONTROL_FD\)/);
  const envOff = await channelLine([], { STIGMER_RUNNER_CONTROL_CHANNEL: '0' });
  assert.deepEqual(envOff.channel, { enabled: false, source: 'env:STIGMER_RUNNER_CONTROL_CHANNEL' });
  assert.match(
    envOff.check.detail,
    /^off \(env:STIGMER_RUNNER_CONTROL_CHANNEL\): the runner takes no tasks .*Settings → Runner command or with --runner-control-channel/,
  );

  save({ runner: { command: runner } });
  const flag = await channelLine(['--runner-control-channel']);
  assert.deepEqual(flag.channel, { enabled: true, source: 'flag:--runner-control-channel' });
  assert.match(flag.check.detail, /^on \(flag:--runner-control-channel\)/);

  save({ runner: {} });
  const builtIn = await channelLine([]);
  assert.match(builtIn.check.detail, /^off \(default\); the built-in runner always has its own channel/);
});
