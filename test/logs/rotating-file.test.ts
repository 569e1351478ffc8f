import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { RotatingFile } from '../../src/main/logs/rotating-file.ts';
import type { LogFileError } from '../../src/shared/logs.ts';
import { tempDir } from '../support/headless.ts';

/** Every rotated file oldest first, then the current one, concatenated. */
function readAll(dir: string, name: string, count: number): string {
  const files = [];
  for (let generation = count - 1; generation >= 1; generation--) files.push(path.join(dir, `${name}.${generation}.log`));
  files.push(path.join(dir, `${name}.log`));
  return files
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('');
}

test('rotates by renaming: the files together hold every line once, in order, each file at least the limit', async (t) => {
  const dir = tempDir(t);
  const file = new RotatingFile({ dir, name: 'runner', maxBytes: 1000, count: 50 });
  const expected: string[] = [];
  for (let index = 0; index < 2000; index++) {
    const line = `line ${index} ${'é'.repeat(index % 7)}`;
    file.appendLine('T ', line);
    expected.push(`T ${line}\n`);
    if (index % 300 === 0) await file.flush();
  }
  await file.close();
  assert.equal(readAll(dir, 'runner', 50), expected.join(''));
  const status = file.status();
  assert.ok(status.rotations > 10);
  assert.equal(status.bytesWritten, Buffer.byteLength(expected.join('')));
  for (let generation = 1; generation <= status.rotations; generation++) {
    assert.ok(fs.statSync(path.join(dir, `runner.${generation}.log`)).size >= 1000);
  }
});

test('keeps only `count` files, dropping the oldest, and continues an existing file after a restart', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'app.log'), 'from the last run\n');
  const file = new RotatingFile({ dir, name: 'app', maxBytes: 100, count: 3 });
  for (let index = 0; index < 100; index++) file.appendLine('', `entry ${String(index).padStart(3, '0')} ${'-'.repeat(40)}`);
  await file.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['app.1.log', 'app.2.log', 'app.log']);
  const kept = readAll(dir, 'app', 3);
  assert.ok(kept.endsWith(`entry 099 ${'-'.repeat(40)}\n`));
  assert.ok(!kept.includes('from the last run'));
  assert.ok(!kept.includes('entry 000'));
});

test('a full disk (ENOSPC) is recorded and reported, never thrown, and writing resumes when it works again', async (t) => {
  const dir = tempDir(t);
  fs.symlinkSync('/dev/full', path.join(dir, 'runner.log'));
  const reports: (LogFileError | null)[] = [];
  let now = 1_000_000;
  const file = new RotatingFile({
    dir,
    name: 'runner',
    maxBytes: 1e9,
    count: 2,
    retryDelayMs: 1000,
    clock: () => now,
    onFailureChange: (failure) => reports.push(failure),
  });
  file.appendLine('', 'lost to a full disk');
  await file.flush();
  assert.equal(reports.length, 1);
  assert.equal(reports[0]?.code, 'ENOSPC');
  assert.equal(file.status().failing?.code, 'ENOSPC');
  assert.equal(file.status().failedWrites, 1);
  assert.equal(file.status().lostBytes, Buffer.byteLength('lost to a full disk\n'));
  file.appendLine('', 'discarded while failing');
  await file.flush();
  assert.equal(file.status().failedWrites, 1);

  fs.rmSync(path.join(dir, 'runner.log'));
  now += 1000;
  file.appendLine('', 'written again');
  await file.close();
  assert.deepEqual(reports.at(-1), null);
  assert.equal(file.status().failing, null);
  assert.equal(fs.readFileSync(path.join(dir, 'runner.log'), 'utf8'), 'written again\n');
});

test('a logs folder that cannot exist (its parent is a file) is reported as a failure', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
  const file = new RotatingFile({ dir: path.join(dir, 'not-a-folder', 'logs'), name: 'ollama', maxBytes: 1e6, count: 2 });
  file.appendLine('', 'nowhere to go');
  await file.close();
  assert.match(file.status().lastError?.code ?? '', /^(ENOTDIR|EEXIST)$/);
  assert.ok(file.status().lostBytes > 0);
});
