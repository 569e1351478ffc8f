import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI_OPTIONS, formatHelp, parseCommandLine } from '../../src/main/config/cli-options.ts';

const parse = (...args: string[]) => parseCommandLine(args);

test('flags are read in both --name=value and --name value forms', () => {
  const result = parse('--llm-provider=ollama', '--llm-model', 'llama3:70b', '--user-data-dir', '/tmp/x', '--log-format', 'json');
  assert.ok(result.ok);
  assert.equal(result.commandLine.config.llmProvider, 'ollama');
  assert.equal(result.commandLine.config.llmModel, 'llama3:70b');
  assert.equal(result.commandLine.userDataDir, '/tmp/x');
  assert.equal(result.commandLine.logFormat, 'json');
});

test('an unknown flag is an error that names it and points to --help', () => {
  assert.deepEqual(parse('--llm-providr=ollama'), { ok: false, error: 'unknown option --llm-providr; run with --help to list the options' });
});

test('a flag given twice is an error rather than a silent last-one-wins', () => {
  assert.deepEqual(parse('--llm-model=a', '--llm-model=b'), { ok: false, error: 'option --llm-model is given 2 times; give it once' });
});

test('a missing value names the flag and shows the form', () => {
  const result = parse('--llm-provider');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /--llm-provider needs a value/);
});

test('a value that looks like the next flag is not swallowed', () => {
  const result = parse('--llm-model', '--print-config');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /--llm-model needs a value/);
});

test('stray positional arguments are rejected in strict mode and ignored for the Electron host', () => {
  assert.equal(parse('ollama').ok, false);
  const lenient = parseCommandLine(['.', '--no-sandbox', '--llm-provider=openai'], { strict: false });
  assert.ok(lenient.ok);
  assert.equal(lenient.commandLine.config.llmProvider, 'openai');
});

test('choice and port flags are validated', () => {
  assert.match((parse('--log-format=xml') as { error: string }).error, /--log-format="xml" is not one of text, json/);
  assert.match((parse('--ui-port=70000') as { error: string }).error, /--ui-port="70000" is not a port number/);
  assert.deepEqual((parse('--ui-port=0') as { commandLine: { uiPort: number } }).commandLine.uiPort, 0);
});

test('--help lists every flag on a line of its own', () => {
  const help = formatHelp('stigmer');
  for (const name of Object.keys(CLI_OPTIONS)) assert.match(help, new RegExp(`^  --${name}\\b.*\\S`, 'm'), name);
});
