import * as z from 'zod/mini';
import { isOllamaModelInstalled } from '../lib/model-names.ts';
import { PROVIDER_SPECS, type ProviderSpec } from '../shared/providers.ts';
import type { RunnerCheck } from '../shared/runner-protocol.ts';
import type { ChatClient } from './clients.ts';
import type { RunnerConfig } from './env.ts';
import { describeError, type DescribedError } from '../shared/provider-errors.ts';

export interface ProviderCheckOutcome {
  ok: boolean;
  serverVersion?: string;
  checks: RunnerCheck[];
}

export interface ProviderCheckOptions {
  config: RunnerConfig;
  client: ChatClient;
  /** Per request; a server that does not answer in this time counts as unreachable. */
  timeoutMs?: number;
}

const OllamaVersionSchema = z.object({ version: z.string() });
const OllamaTagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });

const outcome = (checks: RunnerCheck[], serverVersion?: string): ProviderCheckOutcome => ({
  ok: checks.every((check) => check.status !== 'error'),
  ...(serverVersion === undefined ? {} : { serverVersion }),
  checks,
});

const failedCheck = ({ code, message, fix }: DescribedError): Omit<RunnerCheck, 'name'> => ({
  status: 'error',
  code,
  message,
  ...(fix ? { fix } : {}),
});

/**
 * GET with node:http rather than fetch: fetch loads undici, which stays in the idle runner's memory
 * for the two requests of the start-up check. Taken with getBuiltinModule, not `import`, since an
 * ES import of node:http reads every export, and its lazy WebSocket export loads undici all the
 * same. A timeout rejects with the signal's TimeoutError, as fetch did.
 */
async function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const { get } = process.getBuiltinModule(url.startsWith('https:') ? 'node:https' : 'node:http');
  const signal = AbortSignal.timeout(timeoutMs);
  const text = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const fail = (error: Error) => reject(signal.aborted ? (signal.reason as Error) : error);
    get(url, { signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: body }));
      response.on('error', fail);
    }).on('error', fail);
  });
  try {
    return { status: text.status, body: JSON.parse(text.text) };
  } catch {
    return { status: text.status, body: undefined };
  }
}

/**
 * Ollama: the server answers `/api/version`, and the model is among `/api/tags`. The native API
 * is used here because it tells more than the OpenAI-compatible one.
 */
async function checkOllama({ config, timeoutMs = 5000 }: ProviderCheckOptions): Promise<ProviderCheckOutcome> {
  const { baseUrl, model } = config;
  let serverVersion: string;
  try {
    const version = await getJson(`${baseUrl}/api/version`, timeoutMs);
    const parsed = OllamaVersionSchema.safeParse(version.body);
    if (version.status !== 200 || !parsed.success) {
      return outcome([
        {
          name: 'server',
          status: 'error',
          code: 'wrong-server',
          message: `something answers at ${baseUrl} (HTTP ${version.status}) but it is not Ollama`,
          fix: 'Point OLLAMA_HOST or the base URL at the Ollama server, or free that port.',
        },
      ]);
    }
    serverVersion = parsed.data.version;
  } catch (error) {
    return outcome([{ name: 'server', ...failedCheck(describeError(error, config)) }]);
  }
  const server: RunnerCheck = { name: 'server', status: 'ok', message: `Ollama ${serverVersion} answers at ${baseUrl}` };
  let tags: unknown;
  try {
    tags = (await getJson(`${baseUrl}/api/tags`, timeoutMs)).body;
  } catch (error) {
    return outcome([server, { name: 'model', ...failedCheck(describeError(error, config)) }], serverVersion);
  }
  const listed = OllamaTagsSchema.safeParse(tags);
  if (!listed.success) {
    return outcome([server, { name: 'model', status: 'error', code: 'wrong-server', message: `${baseUrl}/api/tags did not list models` }], serverVersion);
  }
  const installed = listed.data.models.map((entry) => entry.name);
  const modelCheck: RunnerCheck = isOllamaModelInstalled(model, installed)
    ? { name: 'model', status: 'ok', message: `the model "${model}" is installed` }
    : {
        name: 'model',
        status: 'error',
        code: 'model-not-found',
        message: `the model "${model}" is not installed in Ollama${installed.length ? ` (installed: ${installed.join(', ')})` : ' (no models installed)'}`,
        fix: `Run \`ollama pull ${model}\`, or choose an installed model.`,
      };
  return outcome([server, modelCheck], serverVersion);
}

/** Cloud: one authenticated call for the configured model, which proves the key and the model at once. */
async function checkCloud({ config, client, timeoutMs = 15_000 }: ProviderCheckOptions): Promise<ProviderCheckOutcome> {
  const label = config.endpoint ?? PROVIDER_SPECS[config.provider].label;
  try {
    await client.retrieveModel(AbortSignal.timeout(timeoutMs));
    return outcome([
      { name: 'auth', status: 'ok', message: `the ${label} API key is accepted` },
      { name: 'model', status: 'ok', message: `the model "${config.model}" is available` },
    ]);
  } catch (error) {
    const described = describeError(error, config);
    const failure = failedCheck(described);
    if (described.code === 'model-not-found') {
      return outcome([
        { name: 'auth', status: 'ok', message: `the ${label} API key is accepted` },
        { name: 'model', ...failure },
      ]);
    }
    return outcome([{ name: described.code === 'auth' ? 'auth' : 'server', ...failure }]);
  }
}

/** How each provider is checked (`ProviderSpec.check`). */
const CHECKS: Record<ProviderSpec['check'], (options: ProviderCheckOptions) => Promise<ProviderCheckOutcome>> = {
  'retrieve-model': checkCloud,
  'ollama-native': checkOllama,
};

export const checkProvider = (options: ProviderCheckOptions): Promise<ProviderCheckOutcome> => CHECKS[PROVIDER_SPECS[options.config.provider].check](options);
