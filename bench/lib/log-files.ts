import fs from 'node:fs';
import path from 'node:path';

/** `<name>.log` and its rotations, oldest first: `runner.9.log` … `runner.1.log`, `runner.log`. */
export function rotatedFiles(dir: string, name: string): string[] {
  const generations = fs
    .readdirSync(dir)
    .map((file) => new RegExp(`^${name}\\.(\\d+)\\.log$`).exec(file)?.[1])
    .filter((generation) => generation !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
  return [...generations.map((generation) => path.join(dir, `${name}.${generation}.log`)), path.join(dir, `${name}.log`)].filter((file) => fs.existsSync(file));
}

/** Length of the `2025-01-01T00:00:00.000Z INFO  stdout ` head of each line the app writes. */
export const APP_LINE_HEAD_BYTES = 38;

export interface Comparison {
  /** Lines of `expected` found, in order, byte for byte. */
  matchedLines: number;
  expectedLines: number;
  /** True when the files hold exactly `expected`, nothing missing, changed or added. */
  exact: boolean;
}

/**
 * Compares what the app wrote for one stream of one source with what the process printed:
 * each line's head (timestamp, level, stream) is taken off, lines of other streams are skipped.
 */
export function compareAppLog(files: readonly string[], stream: 'stdout' | 'stderr', expected: Buffer): Comparison {
  const expectedLines = countLines(expected);
  let position = 0;
  let matchedLines = 0;
  let extra = false;
  const tag = Buffer.from(` ${stream} `);
  for (const file of files) {
    const content = fs.readFileSync(file);
    for (let start = 0; start < content.length;) {
      const newline = content.indexOf(0x0a, start);
      const end = newline === -1 ? content.length : newline + 1;
      if (content.subarray(start + APP_LINE_HEAD_BYTES - tag.length, start + APP_LINE_HEAD_BYTES).equals(tag)) {
        const body = content.subarray(start + APP_LINE_HEAD_BYTES, end);
        if (body.equals(expected.subarray(position, position + body.length))) {
          position += body.length;
          matchedLines++;
        } else {
          extra = true;
        }
      }
      start = end;
    }
  }
  return { matchedLines, expectedLines, exact: !extra && position === expected.length };
}

/** Compares a plain copy of the output (the baseline's file, PM2's log) with what was printed. */
export function compareRawLog(files: readonly string[], expected: Buffer): Comparison {
  const content = Buffer.concat(files.map((file) => fs.readFileSync(file)));
  if (content.equals(expected)) return { matchedLines: countLines(expected), expectedLines: countLines(expected), exact: true };
  return compareText(content.toString('utf8'), expected);
}

/** Lines of `expected` found whole in `text` (a line cut in two is not), and whether the two are the same. */
export function compareText(text: string, expected: Buffer): Comparison {
  const expectedText = expected.toString('utf8');
  const lines = new Set(text.split('\n'));
  let matchedLines = 0;
  for (const line of expectedText.split('\n').slice(0, -1)) if (lines.has(line)) matchedLines++;
  return { matchedLines, expectedLines: countLines(expected), exact: text === expectedText };
}

function countLines(buffer: Buffer): number {
  let count = 0;
  for (let index = buffer.indexOf(0x0a); index !== -1; index = buffer.indexOf(0x0a, index + 1)) count++;
  return count;
}
