import { z } from 'zod';
import { EndpointIdSchema } from '../../shared/endpoints.ts';
import { CloudProviderSchema } from '../../shared/state-schema.ts';
import { PROVIDER_SPECS, PROVIDERS, ProviderSchema } from '../../shared/providers.ts';
import { sourceName } from '../../shared/config.ts';
import { CommandFailed } from '../control-socket/client.ts';
import { CLI_EXIT, UsageError, print, type CliContext } from './context.ts';
import { promptHidden, readAll } from './hidden-prompt.ts';
import { formatStatus, statusSummary } from './status.ts';

export async function status(context: CliContext): Promise<number> {
  const app = await context.app();
  const summary = statusSummary(await app.request('state:get', {}));
  print(context.stdout, context.options.json ? JSON.stringify(summary, null, 2) : formatStatus(summary));
  return CLI_EXIT.ok;
}

/**
 * `stigmer use PROVIDER [--model M]`: saved in the running app, which restarts the runner. A
 * setting pinned by a flag or the environment would win over the saved one, so it is refused
 * here, naming the pin, rather than saved to no effect.
 */
export async function use(context: CliContext): Promise<number> {
  const provider = z.union([ProviderSchema, EndpointIdSchema]).safeParse(context.args[0]);
  if (!provider.success) throw new UsageError(`name a provider: stigmer use ${PROVIDERS.join('|')}|ENDPOINT [--model MODEL]`);
  const model = context.options.model as string | undefined;
  const app = await context.app();
  const { config } = await app.request('state:get', {});
  const pinned = [
    config.provider.pinned && (config.endpoint?.id ?? config.provider.value) !== provider.data ? { what: 'provider', field: config.provider } : undefined,
    model !== undefined && config.model.pinned && config.model.value !== model ? { what: 'model', field: config.model } : undefined,
  ].find((pin) => pin !== undefined);
  if (pinned) {
    const pin = sourceName(pinned.field.source);
    throw new CommandFailed({
      message: `The ${pinned.what} is pinned to ${pinned.field.value} by ${pin}.`,
      fix: `Unset ${pin} (or remove the flag) and restart the app to choose the ${pinned.what} here.`,
    });
  }
  const builtIn = ProviderSchema.safeParse(provider.data);
  if (builtIn.success) {
    if (model !== undefined) await app.request('config:set-model', { provider: builtIn.data, model });
    await app.request('config:set-provider', { provider: builtIn.data });
  } else await app.request('endpoints:use', { id: provider.data, ...(model !== undefined ? { model } : {}) });
  const after = (await app.request('state:get', {})).config;
  print(context.stdout, `Using ${after.endpoint?.name ?? PROVIDER_SPECS[after.provider.value].label} ${after.model.value}; the runner restarted with it.`);
  return CLI_EXIT.ok;
}

/** `stigmer keys set|rm PROVIDER`: the key comes from stdin or a hidden prompt, never argv, and is never printed. */
export async function keys(context: CliContext): Promise<number> {
  const [action, name] = context.args;
  const provider = CloudProviderSchema.safeParse(name);
  if ((action !== 'set' && action !== 'rm') || !provider.success)
    throw new UsageError('write stigmer keys set PROVIDER or stigmer keys rm PROVIDER (anthropic or openai)');
  const label = PROVIDER_SPECS[provider.data].label;
  if (action === 'rm') {
    await (await context.app()).request('keys:remove', { provider: provider.data });
    print(context.stdout, `Removed the ${label} key.`);
    return CLI_EXIT.ok;
  }
  const app = await context.app();
  const typed = context.stdin.isTTY ? await promptHidden(`${label} API key (not shown): `, context.stdin, context.stderr) : await readAll(context.stdin);
  const key = typed?.trim();
  if (!key) throw new UsageError(`no key was given: type it at the prompt, or pipe it in (printf %s "$KEY" | stigmer keys set ${provider.data})`);
  const result = await app.request('keys:set', { provider: provider.data, key });
  print(
    result.saved ? context.stdout : context.stderr,
    result.saved ? `Saved the ${label} key ${result.check.masked}: ${result.check.message}` : result.check.message,
  );
  if (!result.saved && result.check.fix) print(context.stderr, result.check.fix);
  // Where the key now lives, said where the user looks: a terminal user never sees the window's notice.
  const { secrets } = result.saved ? await app.request('state:get', {}) : { secrets: undefined };
  if (secrets?.notice) print(context.stdout, secrets.notice);
  return result.saved ? CLI_EXIT.ok : CLI_EXIT.failed;
}
