/**
 * The fake `ollama` command: `ollama serve` and `ollama --version`, behaving as the real binary
 * does where the app can observe it (OLLAMA_HOST, log lines on stderr, bind failures, exit codes).
 */
import fs from 'node:fs';
import http from 'node:http';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import { DEFAULT_FAKE_VERSION, type FakeOllamaConfig } from './fake-ollama.ts';
import { createFakeOllamaServer, FAKE_OLLAMA_CONFIG_ENV, FAKE_OLLAMA_HOLD_ENV } from './server.ts';

interface ListenAddress {
  scheme: string;
  host: string;
  port: string;
}

/**
 * Ollama's envconfig.Host(), written out again here on purpose: the double must not share the
 * app's parser, or a bug in it would be reproduced by the very thing testing it.
 */
function ollamaHostFromEnv(raw: string | undefined): ListenAddress {
  const value = (raw ?? '')
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim();
  let defaultPort = '11434';
  let [scheme, hostport] = ['http', value];
  const cut = value.indexOf('://');
  if (cut >= 0) {
    [scheme, hostport] = [value.slice(0, cut), value.slice(cut + 3)];
    if (scheme === 'http') defaultPort = '80';
    if (scheme === 'https') defaultPort = '443';
  }
  hostport = hostport.split('/')[0] ?? '';
  const bracketed = /^\[([^[\]]*)\]:([^:[\]]*)$/.exec(hostport);
  const plain = /^([^:[\]]*):([^:[\]]*)$/.exec(hostport);
  let host: string;
  let port: string;
  if (bracketed || plain) {
    const match = (bracketed ?? plain) as RegExpExecArray;
    [host, port] = [match[1] ?? '', match[2] ?? ''];
  } else {
    const bare = hostport.replace(/^[[\]]+|[[\]]+$/g, '');
    host = /^[\d.]+$/.test(bare) || isIPv6(bare) ? bare : hostport || '127.0.0.1';
    port = defaultPort;
  }
  const number = /^[+-]?\d+$/.test(port) ? Number(port) : Number.NaN;
  if (!(number >= 0 && number <= 65535)) port = defaultPort;
  return { scheme, host, port };
}

const joinHostPort = (host: string, port: string) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

function readConfig(): FakeOllamaConfig {
  const file = process.env[FAKE_OLLAMA_CONFIG_ENV];
  return file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as FakeOllamaConfig) : {};
}

/** Ollama logs with Go's slog text handler. */
function log(level: 'INFO' | 'WARN' | 'ERROR', source: string, msg: string, extra = ''): void {
  process.stderr.write(`time=${new Date().toISOString()} level=${level} source=${source} msg=${JSON.stringify(msg)}${extra ? ` ${extra}` : ''}\n`);
}

/** Gin's access log line, as Ollama prints one per request. */
function ginLine(method: string, urlPath: string, status: number, durationMs: number): void {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} - ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const micros = durationMs * 1000;
  process.stderr.write(
    `[GIN] ${stamp} | ${status} | ${`${micros.toFixed(1)}µs`.padStart(12)} | ${'127.0.0.1'.padStart(15)} | ${method.padEnd(8)} ${JSON.stringify(urlPath)}\n`,
  );
}

async function waitForHoldFile(): Promise<void> {
  const file = process.env[FAKE_OLLAMA_HOLD_ENV];
  while (file && !fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function serve(): Promise<void> {
  const config = readConfig();
  const address = ollamaHostFromEnv(process.env.OLLAMA_HOST);
  const modelsDir = process.env.OLLAMA_MODELS?.trim();
  if (modelsDir) fs.mkdirSync(modelsDir, { recursive: true });
  const keepAlive = process.env.OLLAMA_KEEP_ALIVE?.trim() || config.keepAlive;
  const version = config.version ?? DEFAULT_FAKE_VERSION;

  const env = {
    OLLAMA_CONTEXT_LENGTH: process.env.OLLAMA_CONTEXT_LENGTH?.trim() || '4096',
    OLLAMA_HOST: `${address.scheme}://${joinHostPort(address.host, address.port)}`,
    OLLAMA_KEEP_ALIVE: keepAlive ?? '5m0s',
    OLLAMA_MODELS: modelsDir || path.join(process.env.HOME ?? '', '.ollama', 'models'),
  };
  log(
    'INFO',
    'routes.go:1235',
    'server config',
    `env="map[${Object.entries(env)
      .map(([key, value]) => `${key}:${value}`)
      .join(' ')}]"`,
  );

  await waitForHoldFile();
  const { server } = createFakeOllamaServer({
    ...config,
    version,
    ...(keepAlive ? { keepAlive } : {}),
    ...(modelsDir ? { stateFile: path.join(modelsDir, 'fake-ollama-models.json') } : {}),
    modelsDir: env.OLLAMA_MODELS,
    onRequest: ginLine,
  });

  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
    process.stderr.write(`Error: listen tcp ${joinHostPort(address.host, address.port)}: bind: ${reason}\n`);
    process.exit(1);
  });
  // An empty host means every interface, as with Go's net.Listen(":port").
  server.listen(Number(address.port), address.host === '' ? undefined : address.host, () => {
    log('INFO', 'routes.go:1288', `Listening on ${joinHostPort(address.host, address.port)} (version ${version})`);
    log('INFO', 'types.go:130', 'inference compute', 'id=0 library=cpu variant="" compute="" driver=0.0 name="" total="15.5 GiB" available="12.1 GiB"');
  });
  const shutdown = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** `ollama --version` asks the server first, then names the client's own version if it differs. */
async function printVersion(): Promise<void> {
  const clientVersion = readConfig().version ?? DEFAULT_FAKE_VERSION;
  const address = ollamaHostFromEnv(process.env.OLLAMA_HOST);
  const host = address.host === '' || address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host;
  const serverVersion = await new Promise<string | undefined>((resolve) => {
    const request = http.get({ host, port: Number(address.port), path: '/api/version', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const parsed = JSON.parse(body) as { version?: unknown };
          resolve(typeof parsed.version === 'string' ? parsed.version : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
  if (serverVersion === undefined) process.stdout.write('Warning: could not connect to a running Ollama instance\n');
  else process.stdout.write(`ollama version is ${serverVersion}\n`);
  if (serverVersion !== clientVersion) process.stdout.write(`Warning: client version is ${clientVersion}\n`);
}

const [command] = process.argv.slice(2);
if (command === 'serve' || command === 'start') {
  await serve();
} else if (command === '--version' || command === '-v') {
  await printVersion();
} else if (command === undefined) {
  process.stdout.write('Large language model runner\n\nUsage:\n  ollama [flags]\n  ollama [command]\n');
} else {
  process.stderr.write(`Error: unknown command "${command}" for "ollama"\n`);
  process.exitCode = 1;
}
