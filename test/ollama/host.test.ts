import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectableOllamaUrl, formatOllamaHost, isLocalOllamaHost, parseOllamaHost } from '../../src/lib/ollama-host.ts';

/** Expected values follow Ollama's envconfig.Host() and its host tests. */
const cases: { input: string | undefined; url: string; warning?: boolean }[] = [
  { input: undefined, url: 'http://127.0.0.1:11434' },
  { input: '', url: 'http://127.0.0.1:11434' },
  { input: '   ', url: 'http://127.0.0.1:11434' },
  { input: '1.2.3.4', url: 'http://1.2.3.4:11434' },
  { input: 'example.com', url: 'http://example.com:11434' },
  { input: '1.2.3.4:1234', url: 'http://1.2.3.4:1234' },
  { input: 'example.com:1234', url: 'http://example.com:1234' },
  { input: ':1234', url: 'http://:1234' },
  { input: '0.0.0.0', url: 'http://0.0.0.0:11434' },
  { input: '0.0.0.0:1234', url: 'http://0.0.0.0:1234' },
  { input: '[::1]', url: 'http://[::1]:11434' },
  { input: '::1', url: 'http://[::1]:11434' },
  { input: '[::1]:1234', url: 'http://[::1]:1234' },
  { input: '[0:0:0:0:0:0:0:1]', url: 'http://[::1]:11434' },
  { input: '::ffff:127.0.0.1', url: 'http://127.0.0.1:11434' },
  { input: 'http://example.com', url: 'http://example.com:80' },
  { input: 'https://example.com', url: 'https://example.com:443' },
  { input: 'http://example.com:1234', url: 'http://example.com:1234' },
  { input: 'https://[::1]', url: 'https://[::1]:443' },
  { input: 'example.com/path', url: 'http://example.com:11434/path' },
  { input: 'https://example.com:8443/ollama/api', url: 'https://example.com:8443/ollama/api' },
  { input: '"1.2.3.4"', url: 'http://1.2.3.4:11434' },
  { input: "'1.2.3.4:1234'", url: 'http://1.2.3.4:1234' },
  { input: ' " example.com:1234 " ', url: 'http://example.com:1234' },
  { input: 'example.com:+1234', url: 'http://example.com:1234' },
  { input: 'example.com:0', url: 'http://example.com:0' },
  { input: 'example.com:abc', url: 'http://example.com:11434', warning: true },
  { input: 'example.com:65536', url: 'http://example.com:11434', warning: true },
  { input: 'example.com:-1', url: 'http://example.com:11434', warning: true },
  { input: 'example.com:', url: 'http://example.com:11434', warning: true },
  { input: 'http://example.com:abc', url: 'http://example.com:80', warning: true },
  { input: '[::1]:x', url: 'http://[::1]:11434', warning: true },
];

for (const { input, url, warning } of cases) {
  test(`OLLAMA_HOST=${JSON.stringify(input)} is ${url}${warning ? ' with a warning' : ''}`, () => {
    const host = parseOllamaHost(input);
    assert.equal(formatOllamaHost(host), url);
    if (warning) assert.match(host.warning ?? '', /invalid; using \d+ as Ollama does/);
    else assert.equal(host.warning, undefined);
  });
}

test('the wildcard addresses are reached through loopback', () => {
  assert.equal(connectableOllamaUrl(parseOllamaHost('0.0.0.0:1234')), 'http://127.0.0.1:1234');
  assert.equal(connectableOllamaUrl(parseOllamaHost('[::]:1234')), 'http://[::1]:1234');
  assert.equal(connectableOllamaUrl(parseOllamaHost(':1234')), 'http://127.0.0.1:1234');
  assert.equal(connectableOllamaUrl(parseOllamaHost('example.com')), 'http://example.com:11434');
});

test('loopback and wildcard hosts are local; any other name is remote', () => {
  for (const local of ['', '127.0.0.1', '127.0.0.2:1', 'localhost', 'LOCALHOST:9', '[::1]:5', '0.0.0.0', '[::]:1', ':1234', '[0:0::1]:7']) {
    assert.equal(isLocalOllamaHost(parseOllamaHost(local)), true, local);
  }
  for (const remote of ['example.com', '10.0.0.5', '192.168.1.2:11434', 'https://gpu-box.lan', '[fe80::1]:1']) {
    assert.equal(isLocalOllamaHost(parseOllamaHost(remote)), false, remote);
  }
});
