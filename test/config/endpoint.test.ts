import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig, type CascadeInput } from '../../src/main/config/resolve.ts';
import type { Provider } from '../../src/shared/providers.ts';
import { defaultSettings } from '../../src/shared/settings.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-ENDPOINT-KEY-000000000000abcd';
const OPENAI_KEY = 'sk-proj-ENDPOINT-KEY-0000000000000000wxyz';

interface Row {
  name: string;
  flags?: CascadeInput['flags'];
  env?: Record<string, string>;
  settings?: { provider?: Provider; baseUrl?: Partial<Record<Provider, string>> };
  /** The active provider. */
  provider: Provider;
  /** Expected endpoints as `value (source)`; providers left out are their defaults. */
  endpoints?: Partial<Record<Provider, string>>;
  /** Each a pattern that one warning must match; no other warning about a base URL may appear. */
  warnings?: RegExp[];
  errors?: RegExp[];
}

const DEFAULTS: Record<Provider, string> = {
  anthropic: 'https://api.anthropic.com (default)',
  openai: 'https://api.openai.com/v1 (default)',
  ollama: 'http://127.0.0.1:11434 (default)',
};

const A = { ANTHROPIC_API_KEY: ANTHROPIC_KEY };
const O = { OPENAI_API_KEY: OPENAI_KEY };

const ROWS: Row[] = [
  {
    name: "ADR 019's Ollama URL with an Anthropic key: Anthropic by default, the URL is Ollama's, and the user is told",
    env: { ...A, LLM_BASE_URL: 'http://localhost:11434/v1' },
    provider: 'anthropic',
    endpoints: { ollama: 'http://localhost:11434 (env:LLM_BASE_URL)' },
    warnings: [
      /^LLM_BASE_URL="http:\/\/localhost:11434\/v1" is not used for Anthropic \(chosen by default, as its key is available\), so the Anthropic key is not sent there: it looks like Ollama's address \(port 11434 is Ollama's\), so it is used as Ollama's\. To fix: to use Ollama, set LLM_PROVIDER=ollama.*set ANTHROPIC_BASE_URL or LLM_PROVIDER=anthropic$/,
    ],
  },
  {
    name: 'the same URL with LLM_PROVIDER=ollama is simply Ollama',
    env: { ...A, LLM_PROVIDER: 'ollama', LLM_BASE_URL: 'http://localhost:11434/v1' },
    provider: 'ollama',
    endpoints: { ollama: 'http://localhost:11434 (env:LLM_BASE_URL)' },
  },
  {
    name: "no key at all: a generic URL is Ollama's wherever it is (no key can follow it)",
    env: { LLM_BASE_URL: 'http://gpu-box.lan:8080/v1' },
    provider: 'ollama',
    endpoints: { ollama: 'http://gpu-box.lan:8080 (env:LLM_BASE_URL)' },
  },
  {
    name: "a loopback URL on another port with /v1 and an Anthropic key is the ADR 019 form: Ollama's",
    env: { ...A, STIGMER_LLM_BASE_URL: 'http://127.0.0.1:8787/v1' },
    provider: 'anthropic',
    endpoints: { ollama: 'http://127.0.0.1:8787 (env:STIGMER_LLM_BASE_URL)' },
    warnings: [/^STIGMER_LLM_BASE_URL=.*not used for Anthropic.*\/v1 is the OpenAI-compatible form ADR 019 gives/],
  },
  {
    name: "a host named ollama is Ollama's",
    flags: { llmBaseUrl: 'http://ollama:8080' },
    env: A,
    provider: 'anthropic',
    endpoints: { ollama: 'http://ollama:8080 (flag:--llm-base-url)' },
    warnings: [/^--llm-base-url="http:\/\/ollama:8080" is not used for Anthropic.*its host is named ollama/],
  },
  {
    name: "a loopback proxy without /v1 is the default Anthropic's: the key stays on this machine",
    env: { ...A, LLM_BASE_URL: 'http://127.0.0.1:8787' },
    provider: 'anthropic',
    endpoints: { anthropic: 'http://127.0.0.1:8787 (env:LLM_BASE_URL)' },
  },
  {
    name: "an https gateway is the default provider's",
    env: { ...O, LLM_BASE_URL: 'https://gateway.example.com/v1' },
    provider: 'openai',
    endpoints: { openai: 'https://gateway.example.com/v1 (env:LLM_BASE_URL)' },
  },
  {
    name: "a loopback OpenAI-compatible proxy is the default OpenAI's (/v1 is OpenAI's own form)",
    env: { ...O, LLM_BASE_URL: 'http://localhost:4000/v1' },
    provider: 'openai',
    endpoints: { openai: 'http://localhost:4000/v1 (env:LLM_BASE_URL)' },
  },
  {
    name: 'plain HTTP to another machine with a default cloud provider belongs to no one',
    env: { ...O, LLM_BASE_URL: 'http://10.0.0.5:8080/v1' },
    provider: 'openai',
    warnings: [
      /^LLM_BASE_URL="http:\/\/10\.0\.0\.5:8080\/v1" is not used for OpenAI \(chosen by default, as its key is available\), so the OpenAI key is not sent there: it is plain HTTP to another machine.*To fix: give OpenAI an https:\/\/ URL/,
    ],
  },
  {
    name: 'an explicit provider takes the generic URL; Ollama keeps its own (the manager is not pointed at a cloud proxy)',
    flags: { llmProvider: 'anthropic', llmBaseUrl: 'https://proxy.example.com/anthropic' },
    env: { ...A, OLLAMA_HOST: '127.0.0.1:11500' },
    provider: 'anthropic',
    endpoints: { anthropic: 'https://proxy.example.com/anthropic (flag:--llm-base-url)', ollama: 'http://127.0.0.1:11500 (env:OLLAMA_HOST)' },
  },
  {
    name: 'a provider from the saved settings is explicit too',
    env: { ...A, LLM_BASE_URL: 'https://proxy.example.com' },
    settings: { provider: 'anthropic' },
    provider: 'anthropic',
    endpoints: { anthropic: 'https://proxy.example.com (env:LLM_BASE_URL)' },
  },
  {
    name: "an explicit cloud provider with Ollama's URL on loopback: used as told, with a warning",
    env: { ...A, LLM_PROVIDER: 'anthropic', LLM_BASE_URL: 'http://localhost:11434/v1' },
    provider: 'anthropic',
    endpoints: { anthropic: 'http://localhost:11434 (env:LLM_BASE_URL)' },
    warnings: [/^LLM_BASE_URL=.* looks like Ollama's address \(port 11434 is Ollama's\), but it is given for Anthropic \(the provider, from LLM_PROVIDER\)/],
  },
  // Another provider's own address (KNOWN_ADDRESSES): the key would go to that provider.
  {
    name: "ANTHROPIC_BASE_URL set to OpenAI's API: used as told, and a warning names the variable, OpenAI and the Anthropic key",
    env: { ...A, ANTHROPIC_BASE_URL: 'https://api.openai.com/v1' },
    provider: 'anthropic',
    endpoints: { anthropic: 'https://api.openai.com (env:ANTHROPIC_BASE_URL)' },
    warnings: [
      /^ANTHROPIC_BASE_URL="https:\/\/api\.openai\.com\/v1" is OpenAI's address \(api\.openai\.com is OpenAI's API\), but it is given for Anthropic, so the Anthropic key is sent to OpenAI\. To fix: unset ANTHROPIC_BASE_URL, or give it Anthropic's URL \(https:\/\/api\.anthropic\.com\)$/,
    ],
  },
  {
    name: "LLM_BASE_URL set to Anthropic's API with LLM_PROVIDER=openai: used as told, with a warning naming both",
    env: { ...O, LLM_PROVIDER: 'openai', LLM_BASE_URL: 'https://api.anthropic.com' },
    provider: 'openai',
    endpoints: { openai: 'https://api.anthropic.com/v1 (env:LLM_BASE_URL)' },
    warnings: [
      /^LLM_BASE_URL="https:\/\/api\.anthropic\.com" is Anthropic's address \(api\.anthropic\.com is Anthropic's API\), but it is given for OpenAI \(the provider, from LLM_PROVIDER\), so the OpenAI key is sent to Anthropic\. To fix: to use Anthropic, set LLM_PROVIDER=anthropic; to use OpenAI, unset LLM_BASE_URL$/,
    ],
  },
  {
    name: "LLM_BASE_URL set to Anthropic's API when OpenAI is only the default: the URL is Anthropic's, and the OpenAI key stays away",
    env: { ...O, LLM_BASE_URL: 'https://api.anthropic.com' },
    provider: 'openai',
    endpoints: { anthropic: 'https://api.anthropic.com (env:LLM_BASE_URL)' },
    warnings: [
      /^LLM_BASE_URL="https:\/\/api\.anthropic\.com" is not used for OpenAI \(chosen by default, as its key is available\), so the OpenAI key is not sent there: it is Anthropic's address \(api\.anthropic\.com is Anthropic's API\), so it is used as Anthropic's\. To fix: to use Anthropic, set LLM_PROVIDER=anthropic \(or pass --llm-provider=anthropic\)$/,
    ],
  },
  {
    name: "OpenAI's API with /v1 when Anthropic is the default is OpenAI's, not Ollama's (the path no longer decides)",
    env: { ...A, LLM_BASE_URL: 'https://api.openai.com/v1' },
    provider: 'anthropic',
    endpoints: { openai: 'https://api.openai.com/v1 (env:LLM_BASE_URL)' },
    warnings: [/^LLM_BASE_URL=.* is not used for Anthropic .*: it is OpenAI's address \(api\.openai\.com is OpenAI's API\), so it is used as OpenAI's\./],
  },
  {
    name: "the default provider's own API, /v1 included, is simply its own: no warning",
    env: { ...A, LLM_BASE_URL: 'https://api.anthropic.com/v1' },
    provider: 'anthropic',
    endpoints: { anthropic: 'https://api.anthropic.com (env:LLM_BASE_URL)' },
  },
  {
    name: "Ollama's port in a provider's own variable: used as told, with a warning that the key goes to Ollama",
    env: { ...O, OPENAI_BASE_URL: 'http://localhost:11434/v1' },
    provider: 'openai',
    endpoints: { openai: 'http://localhost:11434/v1 (env:OPENAI_BASE_URL)' },
    warnings: [
      /^OPENAI_BASE_URL="http:\/\/localhost:11434\/v1" looks like Ollama's address \(port 11434 is Ollama's\), but it is given for OpenAI, so the OpenAI key is sent there; to use Ollama choose the ollama provider, or unset OPENAI_BASE_URL$/,
    ],
  },
  {
    name: 'a saved URL is matched whatever its case and a trailing dot, and named as the saved setting',
    env: A,
    settings: { provider: 'anthropic', baseUrl: { anthropic: 'https://API.OpenAI.com./v1' } },
    provider: 'anthropic',
    endpoints: { anthropic: 'https://api.openai.com. (settings)' },
    warnings: [/^saved setting providers\.anthropic\.baseUrl="https:\/\/API\.OpenAI\.com\.\/v1" is OpenAI's address \(api\.openai\.com is OpenAI's API\)/],
  },
  {
    name: "an inactive provider's URL at another provider's API: a warning that says when it applies",
    env: { ...A, ...O, LLM_PROVIDER: 'anthropic', OPENAI_BASE_URL: 'https://api.anthropic.com' },
    provider: 'anthropic',
    endpoints: { openai: 'https://api.anthropic.com/v1 (env:OPENAI_BASE_URL)' },
    warnings: [/^OPENAI_BASE_URL=.* is Anthropic's address .*so the OpenAI key is sent to Anthropic\..*\(this applies to OpenAI when it is the provider\)$/],
  },
  {
    name: "a look-alike host is nobody's API: no warning",
    env: { ...A, ANTHROPIC_BASE_URL: 'https://api.openai.com.evil.example' },
    provider: 'anthropic',
    endpoints: { anthropic: 'https://api.openai.com.evil.example (env:ANTHROPIC_BASE_URL)' },
  },
  {
    name: 'an explicit cloud provider over plain HTTP to another machine is an error, whatever the source',
    env: { ...O, LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://10.0.0.5/v1' },
    provider: 'openai',
    errors: [
      /^LLM_BASE_URL="http:\/\/10\.0\.0\.5\/v1" is plain HTTP to another machine, so the OpenAI key would cross the network unencrypted; use https:\/\//,
    ],
  },
  {
    name: "the SDK's own OPENAI_BASE_URL is OpenAI's endpoint, and plain HTTP there is refused the same way",
    env: { ...O, OPENAI_BASE_URL: 'http://gpu-box.lan/v1' },
    provider: 'openai',
    errors: [/^OPENAI_BASE_URL="http:\/\/gpu-box\.lan\/v1" is plain HTTP to another machine/],
  },
  {
    name: 'a saved plain-HTTP URL to another machine is refused too',
    env: O,
    settings: { baseUrl: { openai: 'http://192.168.1.20:4000' } },
    provider: 'openai',
    errors: [/^saved setting providers\.openai\.baseUrl="http:\/\/192\.168\.1\.20:4000" is plain HTTP/],
  },
  {
    name: 'ANTHROPIC_BASE_URL and OPENAI_BASE_URL each belong to their provider only',
    env: { ...A, ...O, ANTHROPIC_BASE_URL: 'https://anthropic-proxy.example.com/', OPENAI_BASE_URL: 'https://openai-proxy.example.com' },
    provider: 'anthropic',
    endpoints: {
      anthropic: 'https://anthropic-proxy.example.com (env:ANTHROPIC_BASE_URL)',
      openai: 'https://openai-proxy.example.com/v1 (env:OPENAI_BASE_URL)',
    },
  },
  {
    name: "a generic URL outranks the provider's own variable, as the environment layer is ordered",
    env: { ...O, LLM_PROVIDER: 'openai', LLM_BASE_URL: 'https://a.example.com/v1', OPENAI_BASE_URL: 'https://b.example.com/v1' },
    provider: 'openai',
    endpoints: { openai: 'https://a.example.com/v1 (env:LLM_BASE_URL)' },
  },
  {
    name: "an inactive provider's bad URL is a warning, not an error that stops the runner",
    env: { ...A, OPENAI_BASE_URL: 'http://10.0.0.5/v1' },
    provider: 'anthropic',
    warnings: [/^OPENAI_BASE_URL=.*plain HTTP.*\(this applies to OpenAI when it is the provider\)$/],
  },
  {
    name: 'IPv6 loopback counts as loopback; look-alike names and *.localhost (which DNS may answer) do not',
    env: { ...A, ...O, LLM_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://[::1]:4000', ANTHROPIC_BASE_URL: 'http://localhost.evil.example:8080' },
    provider: 'openai',
    endpoints: { openai: 'http://[::1]:4000/v1 (env:OPENAI_BASE_URL)' },
    warnings: [/^ANTHROPIC_BASE_URL="http:\/\/localhost\.evil\.example:8080" is plain HTTP/],
  },
  {
    name: 'a *.localhost name is not trusted as loopback for a cloud key',
    env: { ...A, LLM_PROVIDER: 'anthropic', ANTHROPIC_BASE_URL: 'http://proxy.localhost:8080' },
    provider: 'anthropic',
    errors: [/^ANTHROPIC_BASE_URL="http:\/\/proxy\.localhost:8080" is plain HTTP to another machine/],
  },
];

const show = (field: { value: string; source: string }): string => `${field.value} (${field.source})`;

describe('the endpoint of each provider', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const settings = defaultSettings();
      if (row.settings?.provider) settings.provider = row.settings.provider;
      for (const [provider, url] of Object.entries(row.settings?.baseUrl ?? {})) settings.providers[provider as Provider].baseUrl = url;
      const config = resolveConfig({ flags: row.flags ?? {}, env: row.env ?? {}, settings, storedKeys: {}, facts: {} });

      assert.equal(config.provider.value, row.provider);
      const expected = { ...DEFAULTS, ...row.endpoints };
      assert.deepEqual({ anthropic: show(config.endpoints.anthropic), openai: show(config.endpoints.openai), ollama: show(config.endpoints.ollama) }, expected);
      assert.deepEqual(config.baseUrl, config.endpoints[row.provider], 'baseUrl is the active endpoint');

      const urlIssues = (issues: typeof config.errors) => issues.filter((issue) => issue.field === 'baseUrl').map((issue) => issue.message);
      const check = (kind: string, actual: string[], patterns: RegExp[] = []) => {
        assert.equal(actual.length, patterns.length, `${kind}: ${JSON.stringify(actual)}`);
        for (const pattern of patterns)
          assert.ok(
            actual.some((message) => pattern.test(message)),
            `${kind} matching ${pattern}: ${JSON.stringify(actual)}`,
          );
      };
      check('warnings', urlIssues(config.warnings), row.warnings);
      check('errors', urlIssues(config.errors), row.errors);
      for (const message of [...config.errors, ...config.warnings].map((issue) => issue.message)) {
        assert.ok(!message.includes(ANTHROPIC_KEY) && !message.includes(OPENAI_KEY), 'no message quotes a key');
      }
    });
  }
});
