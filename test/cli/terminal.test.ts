/** What `stigmer` shows on a terminal: the hidden key prompt and a pull's progress line. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { promptHidden, type TerminalInput } from '../../src/main/cli/hidden-prompt.ts';
import { formatPullProgress } from '../../src/main/cli/models.ts';

function terminal(): { input: TerminalInput & PassThrough; output: PassThrough; raw: boolean[]; shown: () => string } {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (on: boolean) => raw.push(on) });
  const output = new PassThrough();
  let shown = '';
  output.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
  return { input, output, raw, shown: () => shown };
}

test('the key prompt echoes nothing that is typed, honours Backspace, and leaves raw mode', async () => {
  const { input, output, raw, shown } = terminal();
  const answer = promptHidden('Anthropic API key (not shown): ', input, output);
  input.write('sk-ant-SECRET');
  input.write('x\x7f');
  input.write('9\r');
  assert.equal(await answer, 'sk-ant-SECRET9');
  assert.equal(shown(), 'Anthropic API key (not shown): \n');
  assert.deepEqual(raw, [true, false]);
});

test('Ctrl-C at the key prompt gives no key', async () => {
  const { input, output, raw } = terminal();
  const answer = promptHidden('Key: ', input, output);
  input.write('sk-half\x03');
  assert.equal(await answer, undefined);
  assert.deepEqual(raw, [true, false]);
});

test('a pull shows its phase, share, speed and time left, each once known', () => {
  const base = { model: 'qwen2.5:0.5b', status: 'pulling manifest', completedBytes: 0, totalBytes: 0, percent: null, bytesPerSecond: null, etaSeconds: null };
  assert.equal(formatPullProgress(base), 'qwen2.5:0.5b: pulling manifest');
  assert.equal(
    formatPullProgress({
      ...base,
      status: 'pulling 6a0746a1ec1a',
      completedBytes: 198_903_968,
      totalBytes: 397_807_936,
      percent: 50,
      bytesPerSecond: 12_300_000,
      etaSeconds: 65,
    }),
    'qwen2.5:0.5b: pulling 6a0746a1ec1a, 50% 198.9 MB/397.8 MB, 12.3 MB/s, 1m 05s left',
  );
  assert.match(formatPullProgress({ ...base, etaSeconds: 59.7 }), /, 1m 00s left$/, 'never "0m 60s"');
});
