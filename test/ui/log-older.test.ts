import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandName, CommandRequest } from '../../src/shared/ipc.ts';
import type { LogEntry } from '../../src/shared/logs.ts';
import { readLogRange } from '../../src/main/logs/file-range.ts';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { loadOlder, OLDER_READ_LINES } from '../../src/renderer/log-history.ts';
import { LogBuffer } from '../../src/renderer/log-buffer.ts';
import type { AppStore } from '../../src/renderer/store.ts';
import { tempDir } from '../support/headless.ts';

test('older lines load from the files even when thousands of lines share the oldest timestamp in the window', async (t) => {
  // A fast runner: 1,000 lines in one millisecond, then 3,000 in the next (one timestamp per chunk).
  const logsDir = tempDir(t);
  let now = Date.UTC(2026, 11, 1, 12, 0, 0, 0);
  const pipeline = new LogPipeline({ logsDir, clock: () => now });
  const received: LogEntry[] = [];
  pipeline.subscribe((batch) => received.push(...batch.entries), { maxBatchEntries: 10_000 });
  const input = pipeline.input('runner', 'stdout');
  const lines = (from: number, count: number) => Buffer.from(Array.from({ length: count }, (_, index) => `line ${from + index}\n`).join(''));
  input.write(lines(0, 1000));
  now += 1;
  input.write(lines(1000, 3000));
  await pipeline.flush();
  await pipeline.close();

  // The window holds the newest 1,500 lines, all of the second millisecond.
  const logs = new LogBuffer();
  logs.append(received.slice(-1500), 0);
  logs.olderInFiles = true;
  const store = {
    logs,
    logsChanged: () => undefined,
    bridge: {
      invoke: <C extends CommandName>(command: C, request: CommandRequest<C>) => {
        assert.equal(command, 'logs:read-files');
        return readLogRange(logsDir, request as CommandRequest<'logs:read-files'>);
      },
    },
  } as unknown as AppStore;

  await loadOlder(store);
  const messages = logs.entries.map((entry) => entry.msg);
  assert.equal(messages.length, 1500 + OLDER_READ_LINES);
  assert.deepEqual(messages.slice(0, 2), ['line 1500', 'line 1501'], 'the lines just older than the window, in order');
  assert.equal(new Set(messages).size, messages.length, 'no line twice');
  assert.ok(logs.olderInFiles);
  // And on, across the millisecond before.
  await loadOlder(store);
  await loadOlder(store);
  assert.equal(logs.entries[0]!.msg, 'line 0');
  assert.equal(logs.entries.length, 4000);
});
