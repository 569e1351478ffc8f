/**
 * `--doctor` shows the hardware with where each number came from, and the configured model's fit
 * (issue 24 §1): through the real headless CLI, a stand-in `nvidia-smi` first on PATH.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { DoctorReportSchema } from '../../src/shared/doctor.ts';
import { writeNvidiaSmi } from '../doubles/hardware.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { cleanEnv, runHeadlessCli, tempDir } from '../support/headless.ts';

async function doctor(t: TestContext, smi: Parameters<typeof writeNvidiaSmi>[1], json: boolean) {
  const fake = await startFakeOllama({ models: ['llama3.2'] });
  t.after(() => fake.close());
  const dir = tempDir(t);
  const bin = path.join(dir, 'bin');
  writeNvidiaSmi(bin, smi);
  const env = cleanEnv({ PATH: [bin, FAKE_OLLAMA_BIN_DIR, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter), OLLAMA_HOST: fake.url });
  return runHeadlessCli(['--doctor', ...(json ? ['--json'] : []), '--user-data-dir', dir], env);
}

test('--doctor --json: the GPU from nvidia-smi with its source, and the configured model fits on it', async (t) => {
  const result = await doctor(t, { lines: ['NVIDIA GeForce RTX 4060, 8188, 612'] }, true);
  const report = DoctorReportSchema.parse(JSON.parse(result.stdout));
  assert.equal(report.hardware.gpus[0]?.name, 'NVIDIA GeForce RTX 4060');
  assert.equal(report.hardware.gpus[0]?.totalBytes, 8188 * 1024 ** 2);
  const hardware = report.checks.find((check) => check.name === 'hardware');
  assert.equal(hardware?.status, 'ok');
  assert.match(hardware?.detail ?? '', /NVIDIA GeForce RTX 4060: 8\.6 GB, 641\.7 MB in use \(nvidia-smi --query-gpu=name,memory\.total,memory\.used/);
  const fit = report.checks.find((check) => check.name === 'ollama-fit');
  assert.deepEqual(fit, {
    name: 'ollama-fit',
    status: 'ok',
    detail: 'llama3.2:latest: Fits on the GPU: needs 3.0 GB at 4,096 tokens of 8.6 GB.',
    fix: null,
  });
});

test('--doctor: an nvidia-smi that hangs is a warning with a fix, and the report still comes', async (t) => {
  const result = await doctor(t, { hang: true }, false);
  assert.match(result.stdout, /\[warn \] hardware\s+.*nvidia-smi did not answer within 3 s, so NVIDIA GPUs are not counted/);
  assert.match(result.stdout, /fix: check the GPU driver/);
  assert.match(result.stdout, /\[ok   \] ollama-fit\s+llama3\.2:latest: CPU only: needs 3\.0 GB/);
});
