#!/usr/bin/env node
/**
 * `stigmer`, installed by `npm install -g .` (or `npm link`) from a clone, which links the clone's
 * folder: this file runs from the clone, beside its source and its node_modules.
 *
 * `local start`, `config` and `doctor` are the headless host (`npm run headless` with
 * `--print-config` / `--doctor`): they run its bundle, out/headless/cli.js, in this process, so a
 * signal reaches the host itself (Ctrl-C exits 0, no npm in between). The bundle is built first
 * when it is missing or older than the source, in a child process, so that the host never carries
 * the build's TypeScript loader. Every other command is the client (src/main/cli/main.ts, run with
 * Node's type stripping): short-lived, so its start-up costs less than a second build would.
 *
 * Plain JavaScript, and the Node check before anything else, as the npm scripts do.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Not import.meta.dirname: this must run far enough on an old Node to say which Node it needs.
const root = fileURLToPath(new URL('..', import.meta.url));
createRequire(import.meta.url)(path.join(root, 'scripts/check-node.cjs'));

/** The host's own command lines for the commands it runs. */
const HOST_COMMANDS = {
  'local start': (args) => args,
  config: (args) => ['--print-config', ...args],
  doctor: (args) => ['--doctor', ...args],
};

const argv = process.argv.slice(2);
const name = argv[0] === 'local' && argv[1] === 'start' ? 'local start' : argv[0] === 'config' || argv[0] === 'doctor' ? argv[0] : undefined;

if (name === undefined) {
  const { runCli } = await import(pathToFileURL(path.join(root, 'src/main/cli/main.ts')).href);
  process.exitCode = await runCli(argv);
} else {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-headless.ts')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const { runHeadless } = await import(pathToFileURL(path.join(root, 'out/headless/cli.js')).href);
  process.exitCode = await runHeadless(HOST_COMMANDS[name](argv.slice(name.split(' ').length)), process.env, `stigmer ${name}`);
}
