import { EndpointIdSchema } from '../../shared/endpoints.ts';
import { CLI_EXIT, UsageError, print, type CliContext } from './context.ts';
import { promptHidden, readAll } from './hidden-prompt.ts';

const USAGE =
  'write stigmer endpoints list, stigmer endpoints add ID --base-url URL --models A,B [--name NAME] [--key], stigmer endpoints check ID, or stigmer endpoints rm ID';

/**
 * `stigmer endpoints add|list|check|rm`: the user's OpenAI-compatible endpoints. With `--key` the key
 * comes from stdin or a hidden prompt, never argv, and is never printed; the endpoint is then a
 * provider: `stigmer use ID`, `--llm-provider ID`, `LLM_PROVIDER=ID`.
 */
export async function endpoints(context: CliContext): Promise<number> {
  const [action, rawId] = context.args;
  const app = await context.app();
  if (action === 'list' || action === undefined) {
    const { config } = await app.request('state:get', {});
    if (config.endpoints.length === 0) print(context.stdout, 'No endpoints; add one with stigmer endpoints add ID --base-url URL --models MODEL.');
    for (const endpoint of config.endpoints) {
      const inUse = config.endpoint?.id === endpoint.id ? ' (in use)' : '';
      print(
        context.stdout,
        `${endpoint.id}${inUse}  ${endpoint.name}  ${endpoint.baseUrl}  models: ${endpoint.models.join(', ')}  key: ${endpoint.key?.masked ?? 'none'}`,
      );
    }
    return CLI_EXIT.ok;
  }
  const id = EndpointIdSchema.safeParse(rawId);
  if (!id.success) throw new UsageError(rawId === undefined ? USAGE : `${JSON.stringify(rawId)}: ${id.error.issues[0]?.message ?? 'not an id'}`);
  if (action === 'check') {
    const check = await app.request('endpoints:check', { id: id.data });
    print(check.outcome === 'valid' ? context.stdout : context.stderr, check.fix ? `${check.message}\n${check.fix}` : check.message);
    return check.outcome === 'valid' ? CLI_EXIT.ok : CLI_EXIT.failed;
  }
  if (action === 'rm' || action === 'remove') {
    await app.request('endpoints:remove', { id: id.data });
    print(context.stdout, `Removed the endpoint ${id.data} and its key.`);
    return CLI_EXIT.ok;
  }
  if (action !== 'add') throw new UsageError(USAGE);
  const { 'base-url': baseUrl, models, name, key: wantsKey } = context.options;
  if (typeof baseUrl !== 'string' || typeof models !== 'string') throw new UsageError(USAGE);
  let key: string | undefined;
  if (wantsKey === true) {
    const typed = context.stdin.isTTY ? await promptHidden(`${id.data} API key (not shown): `, context.stdin, context.stderr) : await readAll(context.stdin);
    key = typed?.trim();
    if (!key) throw new UsageError(`no key was given: type it at the prompt, or pipe it in (printf %s "$KEY" | stigmer endpoints add ${id.data} … --key)`);
  }
  const modelList = models
    .split(',')
    .map((model) => model.trim())
    .filter(Boolean);
  await app.request('endpoints:add', { id: id.data, baseUrl, models: modelList, ...(typeof name === 'string' ? { name } : {}), ...(key ? { key } : {}) });
  print(context.stdout, `Saved the endpoint ${id.data}${key ? ' and its key' : ''}; use it with stigmer use ${id.data}, or --llm-provider ${id.data}.`);
  return CLI_EXIT.ok;
}
