/**
 * Hardware detection (issue 24 §1) with a stand-in `nvidia-smi` on PATH and a fake sysfs tree:
 * each accelerator with its memory and where the numbers came from; a tool that is missing,
 * hangs or fails is said and passed over; Apple Silicon's Metal share; nothing found is CPU only.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { detectHardware } from '../../src/main/hardware/detect.ts';
import { HardwareWatch } from '../../src/main/hardware/hardware-watch.ts';
import { parseNvidiaSmi } from '../../src/main/hardware/nvidia.ts';
import { writeFakeSysfs, writeNvidiaSmi } from '../doubles/hardware.ts';
import { tempDir } from '../support/headless.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** PATH with only `dir` and the system's shell tools (so a real nvidia-smi on the machine is never found). */
const pathWith = (dir: string) => ({ PATH: [dir, '/usr/bin', '/bin'].join(path.delimiter) });

describe('hardware detection', () => {
  test('NVIDIA: every GPU from nvidia-smi, in bytes, with the query as its source; the budget is their sum', async (t) => {
    const dir = tempDir(t);
    writeNvidiaSmi(dir, { lines: ['NVIDIA GeForce RTX 4070, 12282, 1034', 'NVIDIA RTX A2000, 6138, 0'] });
    const hardware = await detectHardware({ env: pathWith(dir), platform: 'linux', sysfsRoot: path.join(dir, 'no-sys'), totalMemoryBytes: 32 * GIB });
    assert.deepEqual(
      hardware.gpus.map((gpu) => [gpu.vendor, gpu.name, gpu.totalBytes, gpu.usedBytes]),
      [
        ['nvidia', 'NVIDIA GeForce RTX 4070', 12282 * MIB, 1034 * MIB],
        ['nvidia', 'NVIDIA RTX A2000', 6138 * MIB, 0],
      ],
    );
    assert.match(hardware.gpus[0]!.source, /^nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv,noheader,nounits$/);
    assert.equal(hardware.gpuBudget.bytes, (12282 + 6138) * MIB);
    assert.match(hardware.gpuBudget.rule, /2 GPUs together/);
    assert.deepEqual(hardware.notes, [], 'sysfs without AMD cards is not worth a note once a GPU was found');
    assert.deepEqual(hardware.memory, { totalBytes: 32 * GIB, source: 'the operating system (os.totalmem)' });
  });

  test('a GPU name with commas keeps them; garbage lines are left out', () => {
    const gpus = parseNvidiaSmi('NVIDIA A100-SXM4-80GB, Rev 2, 81920, 5\nNo devices were found\n\n');
    assert.deepEqual(
      gpus.map((gpu) => [gpu.name, gpu.totalBytes]),
      [['NVIDIA A100-SXM4-80GB, Rev 2', 81920 * MIB]],
    );
  });

  test('nvidia-smi that hangs is stopped at the timeout, said, and detection falls back to CPU only', async (t) => {
    const dir = tempDir(t);
    writeNvidiaSmi(dir, { hang: true });
    const started = performance.now();
    const hardware = await detectHardware({ env: pathWith(dir), platform: 'linux', sysfsRoot: dir, timeoutMs: 300 });
    assert.ok(performance.now() - started < 20_000, 'the timeout bounds the wait');
    assert.deepEqual(hardware.gpus, []);
    assert.equal(hardware.gpuBudget.bytes, 0);
    assert.match(hardware.problems.join('\n'), /nvidia-smi did not answer within 0.3 s, so NVIDIA GPUs are not counted/);
  });

  test('nvidia-smi that fails (no driver) is said with its message', async (t) => {
    const dir = tempDir(t);
    writeNvidiaSmi(dir, { failWith: 9 });
    const hardware = await detectHardware({ env: pathWith(dir), platform: 'linux', sysfsRoot: dir });
    assert.match(hardware.problems.join('\n'), /nvidia-smi failed \(NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\.\)/);
  });

  test('AMD on Linux: cards with VRAM files from sysfs, each with its files as the source; other cards are passed over', async (t) => {
    const dir = tempDir(t);
    const root = writeFakeSysfs(path.join(dir, 'sys'), [
      { card: 'card0' },
      { card: 'card1', vramTotal: 16 * GIB, vramUsed: 512 * MIB, productName: 'Radeon RX 7800 XT' },
      { card: 'card2', vramTotal: 8 * GIB },
    ]);
    const hardware = await detectHardware({ env: pathWith(dir), platform: 'linux', sysfsRoot: root, totalMemoryBytes: 64 * GIB });
    assert.deepEqual(
      hardware.gpus.map((gpu) => [gpu.vendor, gpu.name, gpu.totalBytes, gpu.usedBytes]),
      [
        ['amd', 'Radeon RX 7800 XT', 16 * GIB, 512 * MIB],
        ['amd', 'AMD GPU (card2)', 8 * GIB, null],
      ],
    );
    assert.equal(hardware.gpus[0]!.source, `${path.join(root, 'class/drm/card1/device/mem_info_vram_total')} and mem_info_vram_used`);
    assert.equal(hardware.gpuBudget.bytes, 24 * GIB);
    assert.deepEqual(hardware.notes, [], 'nvidia-smi missing is not worth a note once a GPU was found');
  });

  test('nothing found: CPU only, saying what was looked for', async (t) => {
    const dir = tempDir(t);
    const hardware = await detectHardware({ env: pathWith(dir), platform: 'linux', sysfsRoot: path.join(dir, 'sys'), totalMemoryBytes: 8 * GIB });
    assert.deepEqual(hardware.gpus, []);
    assert.deepEqual(hardware.gpuBudget, { bytes: 0, rule: 'no GPU found: CPU only' });
    assert.equal(hardware.unified, false);
    assert.match(hardware.notes.join('\n'), /nvidia-smi was not found/);
    assert.match(hardware.notes.join('\n'), /sys\/class\/drm cannot be read/);
    assert.deepEqual(hardware.problems, [], 'nothing failed: this machine simply has no GPU');
  });

  test('Apple Silicon: unified memory, Metal may use 2/3 of it up to 36 GiB and 3/4 above; no tool is run', async () => {
    const small = await detectHardware({ platform: 'darwin', arch: 'arm64', totalMemoryBytes: 16 * GIB, nvidiaSmi: '/nonexistent/nvidia-smi' });
    assert.equal(small.unified, true);
    assert.equal(small.gpuBudget.bytes, Math.floor((16 * GIB * 2) / 3));
    assert.match(small.gpuBudget.rule, /2\/3 of the unified memory/);
    assert.equal(small.gpus[0]?.vendor, 'apple');
    assert.match(small.gpus[0].source, /Metal's working set/);
    assert.deepEqual([...small.notes, ...small.problems], []);
    const large = await detectHardware({ platform: 'darwin', arch: 'arm64', totalMemoryBytes: 64 * GIB });
    assert.equal(large.gpuBudget.bytes, 48 * GIB);
    assert.match(large.gpuBudget.rule, /3\/4/);
  });

  test('the watch reads once for concurrent callers, keeps the reading, and reads again once it is old', async (t) => {
    const dir = tempDir(t);
    const smi = writeNvidiaSmi(dir, { lines: ['GPU A, 8192, 0'] });
    const watch = new HardwareWatch({ nvidiaSmi: smi, env: pathWith(dir), platform: 'linux', sysfsRoot: dir }, 200);
    assert.equal(watch.current(), undefined, 'nothing is read before it is asked for');
    const [first, second] = await Promise.all([watch.get(), watch.get()]);
    assert.equal(first, second, 'one reading for both');
    assert.equal(watch.current(), first);
    assert.equal(await watch.get(), first, 'fresh: kept');
    writeNvidiaSmi(dir, { lines: ['GPU A, 8192, 4096'] });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const third = await watch.get();
    assert.notEqual(third, first);
    assert.equal(third.gpus[0]?.usedBytes, 4096 * MIB, 'memory in use is read again');
  });
});
