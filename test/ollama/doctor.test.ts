import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { OllamaManager } from '../../src/main/ollama/manager.ts';
import { appPaths } from '../../src/main/profile/paths.ts';
import { DoctorReportSchema, type DoctorReport } from '../../src/shared/doctor.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { cleanEnv, runHeadlessCli, tempDir } from '../support/headless.ts';
import { freePort, writeFakeConfig } from './support.ts';

const FAKE_BINARY = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');
const withFakeOnPath = (extra: Record<string, string>) => cleanEnv({ PATH: `${FAKE_OLLAMA_BIN_DIR}:${process.env.PATH ?? ''}`, ...extra });

async function doctor(args: string[], env: NodeJS.ProcessEnv, userDataDir: string): Promise<{ code: number | null; report: DoctorReport }> {
  const result = await runHeadlessCli(['--doctor', '--json', '--user-data-dir', userDataDir, ...args], env);
  assert.equal(result.stderr, '');
  return { code: result.code, report: DoctorReportSchema.parse(JSON.parse(result.stdout)) };
}

const statusOf = (report: DoctorReport, name: string) => report.checks.find((item) => item.name === name)?.status;

test('an external Ollama: its version, models, and the configured model present', async (t) => {
  const fake = await startFakeOllama({ version: '0.9.2', models: ['llama3.2', 'qwen2.5:0.5b'] });
  t.after(() => fake.close());
  const dir = tempDir(t);
  const env = withFakeOnPath({ OLLAMA_HOST: `127.0.0.1:${fake.port}`, FAKE_OLLAMA_CONFIG: writeFakeConfig(dir, { version: '0.9.3' }) });
  const { code, report } = await doctor([], env, dir);
  assert.equal(code, 0);
  assert.equal(report.ok, true);
  assert.equal(report.config.provider.value, 'ollama');
  assert.deepEqual(report.ollama.binary, { path: FAKE_BINARY, source: 'path', version: '0.9.3' });
  assert.deepEqual(report.ollama.server, { reachable: true, version: '0.9.2', owner: 'external', problem: null });
  assert.deepEqual(report.ollama.models, ['llama3.2:latest', 'qwen2.5:0.5b']);
  assert.equal(report.ollama.configuredModel, 'llama3.2');
  assert.equal(report.ollama.configuredModelPresent, true);
  assert.deepEqual(
    report.checks.map((item) => [item.name, item.status]),
    [
      ['configuration', 'ok'],
      ['key-storage', 'ok'],
      ['hardware', 'ok'],
      ['ollama-binary', 'ok'],
      ['ollama-server', 'ok'],
      ['ollama-models', 'ok'],
      ['ollama-fit', 'ok'],
      ['runner', 'ok'],
      ['runner-control-channel', 'ok'],
    ],
  );
});

test('with no model configured, the first installed model is the default', async (t) => {
  const fake = await startFakeOllama({ models: ['qwen2.5:0.5b'] });
  t.after(() => fake.close());
  const { report } = await doctor([], withFakeOnPath({ OLLAMA_HOST: fake.url }), tempDir(t));
  assert.deepEqual(report.config.model, {
    value: 'qwen2.5:0.5b',
    source: 'default',
    pinned: false,
    why: 'llama3.2 is not installed, using the first installed model',
  });
  assert.equal(report.ollama.configuredModelPresent, true);
});

test('a configured model that is not installed is an error with the pull command', async (t) => {
  const fake = await startFakeOllama({ models: ['llama3.2'] });
  t.after(() => fake.close());
  const { code, report } = await doctor(['--llm-model', 'mistral:7b'], withFakeOnPath({ OLLAMA_HOST: fake.url }), tempDir(t));
  assert.equal(code, 1);
  assert.equal(report.ollama.configuredModelPresent, false);
  const models = report.checks.find((item) => item.name === 'ollama-models');
  assert.equal(models?.status, 'error');
  assert.match(models?.fix ?? '', /ollama pull mistral:7b/);
});

test('a program that is not Ollama on the port is an error, and keeps running', async (t) => {
  const server = http.createServer((_req, res) => res.writeHead(404).end('nope'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { code, report } = await doctor([], withFakeOnPath({ OLLAMA_HOST: url }), tempDir(t));
  assert.equal(code, 1);
  assert.equal(report.ollama.server.reachable, false);
  assert.equal(statusOf(report, 'ollama-server'), 'error');
  assert.match(report.checks.find((item) => item.name === 'ollama-server')?.detail ?? '', /not Ollama/);
  assert.equal((await fetch(url)).status, 404);
});

test('with a cloud provider Ollama has no lines, an unreachable endpoint is a warning; a missing runner is an error', async (t) => {
  const dir = tempDir(t);
  const env = cleanEnv({
    PATH: dir,
    ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    OLLAMA_HOST: '127.0.0.1:1',
  });
  const { code, report } = await doctor(['--runner-command', path.join(dir, 'no-runner')], env, dir);
  assert.equal(report.config.provider.value, 'anthropic');
  assert.equal(report.config.apiKey.value, 'sk-ant-…wxyz');
  assert.equal(statusOf(report, 'ollama-server'), undefined);
  assert.equal(statusOf(report, 'anthropic-key'), 'warn');
  assert.equal(statusOf(report, 'runner'), 'error');
  assert.equal(code, 1);
});

test('without --json the report is readable text', async (t) => {
  const fake = await startFakeOllama({ version: '0.9.2', models: ['llama3.2'] });
  t.after(() => fake.close());
  const dir = tempDir(t);
  const result = await runHeadlessCli(['--doctor', '--user-data-dir', dir], withFakeOnPath({ OLLAMA_HOST: fake.url }));
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Stigmer doctor\n/);
  assert.match(result.stdout, new RegExp(`\\[ok   \\] ollama-server +Ollama 0\\.9\\.2 answers at ${fake.url.replaceAll('.', '\\.')} \\(external\\)`));
  assert.match(result.stdout, /All checks passed\.\n$/);
});

test('a server this app launched is reported as managed', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const env = withFakeOnPath({ OLLAMA_HOST: `127.0.0.1:${port}` });
  const manager = new OllamaManager({ host: `127.0.0.1:${port}`, serverSettings: { exposeToNetwork: false }, runDir: appPaths(dir).runDir, env });
  t.after(() => manager.stop());
  assert.equal((await manager.start()).server.phase, 'running');
  const { report } = await doctor([], env, dir);
  assert.equal(report.ollama.server.owner, 'managed');
});
