import type { CommandName, CommandResponse, ParsedCommand } from '../../shared/ipc.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { readLogRange } from '../logs/file-range.ts';
import type { LogPipeline } from '../logs/pipeline.ts';
import { LogSearches } from '../logs/search.ts';
import { CommandError } from './command-error.ts';
import type { Configuration } from './configuration.ts';
import { addEndpoint, checkEndpointById, removeEndpoint, useEndpoint } from './endpoints.ts';
import type { Keys } from './keys.ts';
import { listModels } from './model-lists.ts';
import type { OllamaControl } from './ollama-control.ts';
import type { OllamaInstallControl } from './ollama-install-control.ts';
import type { OllamaModels } from './ollama-models.ts';
import type { ModelsFolderControl } from './models-folder-control.ts';
import type { RunnerControl } from './runner-control.ts';
import type { AppUpdates } from '../updates/app-updates.ts';

export type Payload<C extends CommandName> = Extract<ParsedCommand, { command: C }>['payload'];

/** One handler per command of the contract; the compiler checks that none is missing. */
export type CommandTable = { [C in CommandName]: (payload: Payload<C>) => CommandResponse<C> | Promise<CommandResponse<C>> };

/** The services the commands are answered by. */
export interface CommandServices {
  configuration: Configuration;
  keys: Keys;
  ollama: OllamaControl;
  ollamaInstall: OllamaInstallControl;
  models: OllamaModels;
  modelsFolder: ModelsFolderControl;
  runner: RunnerControl;
  logs: LogPipeline;
  logsDir: string;
  getState: () => AppState;
  /** Something the state shows changed. */
  changed: () => void;
  applyStartAtLogin?: ((enabled: boolean) => Promise<void>) | undefined;
  revealFolder?: ((folder: string) => Promise<boolean>) | undefined;
  installCommand?: (() => Promise<CommandResponse<'app:install-command'>>) | undefined;
  updates?: AppUpdates | undefined;
}

const ACK = { ok: true } as const;

/** Acknowledges a command once its work is done. */
const done = async (work: Promise<unknown>): Promise<typeof ACK> => {
  await work;
  return ACK;
};

function requireUpdates(updates: AppUpdates | undefined): AppUpdates {
  if (!updates)
    throw new CommandError(
      'This app does not update itself: only the installed desktop app does.',
      'Update the headless host or a development build with git pull and npm ci.',
    );
  return updates;
}

/** The contract's commands, each a call into the service that owns its concern. */
export function createCommandTable(app: CommandServices): CommandTable {
  const { configuration, keys, ollama, models, runner, logs, logsDir, changed } = app;
  const searches = new LogSearches(logsDir, logs.redactor);
  return {
    'state:get': () => app.getState(),
    'config:set-provider': ({ provider }) => done(configuration.setProvider(provider)),
    'endpoints:use': ({ id, model }) => done(useEndpoint(configuration, id, model)),
    'endpoints:check': ({ id }) => checkEndpointById(configuration, id),
    'endpoints:add': (input) => done(addEndpoint(configuration, input)),
    'endpoints:remove': ({ id }) => done(removeEndpoint(configuration, id)),
    'config:set-model': ({ provider, model }) => done(configuration.setModel(provider, model)),
    'config:set-base-url': ({ provider, baseUrl }) =>
      // The Ollama manager talks to one server: a new Ollama URL needs a new manager.
      done(configuration.setBaseUrl(provider, baseUrl, () => (provider === 'ollama' ? ollama.replace() : Promise.resolve()))),
    'keys:set': ({ provider, key }) => keys.set(provider, key),
    'keys:remove': ({ provider }) => done(keys.remove(provider)),
    'keys:validate': ({ provider }) => keys.validate(provider),
    'secrets:accept-weak-storage': () => done(keys.acceptWeakStorage()),
    'models:list': ({ provider }) =>
      listModels(provider, {
        ollama: ollama.manager,
        config: () => configuration.current,
        endpointOf: (which) => configuration.endpointOf(which),
        redact: (text) => logs.redactor.redact(text),
      }),
    'models:catalog': () => models.catalog(),
    'models:set-context': ({ model, contextLength }) => done(Promise.resolve(models.setContext(model, contextLength))),
    'models:disk': () => models.disk(),
    'ollama:start': () => done(ollama.manager.start()),
    'ollama:stop': () => done(ollama.manager.stop()),
    'ollama:pull': ({ model, use }) => models.pull(model, use === true),
    'ollama:cancel-pull': ({ model }) => {
      models.cancel(model);
      return ACK;
    },
    'ollama:delete': ({ model }) => models.delete(model),
    'ollama:unload': ({ model }) => done(models.unload(model)),
    'ollama:set-path': ({ path }) => done(ollama.setPath(path)),
    'ollama:install': () => app.ollamaInstall.install(),
    'ollama:cancel-install': () => {
      app.ollamaInstall.cancel();
      return ACK;
    },
    'ollama:check-update': ({ force }) => app.ollamaInstall.check(force === true),
    'ollama:set-options': (options) => done(ollama.setOptions(options)),
    'ollama:move-models': ({ target }) => app.modelsFolder.move(target),
    'ollama:cancel-move-models': () => {
      app.modelsFolder.cancel();
      return ACK;
    },
    'ollama:delete-old-models': ({ folder }) => app.modelsFolder.deleteOld(folder),
    'downloads:dismiss': ({ model }) => {
      models.downloads.dismiss(model);
      return ACK;
    },
    'runner:start': () => {
      runner.want(true);
      return done(runner.apply('started by the user', { retry: true }));
    },
    'runner:retry': () => {
      runner.want(true);
      return done(runner.apply('retried by the user', { retry: true }));
    },
    'runner:stop': () => done(runner.stop()),
    'runner:restart': () => {
      if (configuration.pendingRunnerCommand === null) return done(runner.restart());
      runner.want(true);
      return done(configuration.reconfigure('restarted by the user with the saved runner command'));
    },
    'runner:set-command': async ({ command, restart, controlChannel }) => {
      const later = restart === false && runner.exists;
      await configuration.setRunnerCommand(command, later, controlChannel);
      if (later) changed();
      return ACK;
    },
    'logs:recent': ({ filter, limit }) => ({ entries: logs.recent({ ...filter, limit }), skipped: 0 }),
    'logs:read-files': (request) => readLogRange(logsDir, request, logs.redactor),
    'logs:search': (request) => searches.search(request),
    'logs:reveal-folder': async () => {
      const opened = (await app.revealFolder?.(logsDir)) ?? false;
      return { path: logsDir, opened };
    },
    'playground:run': ({ prompt, system, history }) => runner.tasks.run(prompt, system, history),
    'playground:cancel': ({ taskId }) => {
      runner.tasks.cancel(taskId);
      return ACK;
    },
    'app:set-start-at-login': async ({ enabled }) => {
      if (!app.applyStartAtLogin) {
        throw new CommandError(
          'Start at login is a desktop setting; the headless host has no login item.',
          'Use your service manager (systemd, launchd) to start the headless host.',
        );
      }
      await app.applyStartAtLogin(enabled);
      configuration.save((draft) => void (draft.startAtLogin = enabled));
      changed();
      return ACK;
    },
    'app:install-command': () => {
      if (!app.installCommand) {
        throw new CommandError(
          'The headless host has no command to install: it is the stigmer command already.',
          'From a clone, npm install -g . puts stigmer on your PATH.',
        );
      }
      return app.installCommand();
    },
    'app:set-auto-update': ({ enabled }) => {
      const updates = requireUpdates(app.updates);
      configuration.save((draft) => void (draft.updates = { ...draft.updates, enabled }));
      updates.setEnabled(enabled);
      return ACK;
    },
    'app:restart-to-update': async () => {
      if (!(await requireUpdates(app.updates).restartToUpdate()))
        throw new CommandError(
          'No update has been downloaded yet.',
          'Updates are downloaded in the background; "Restart to update" appears once one is ready.',
        );
      return ACK;
    },
    'wizard:defer': ({ deferred }) => {
      configuration.save((draft) => {
        if (deferred) draft.setupDeferred = true;
        else delete draft.setupDeferred;
      });
      changed();
      return ACK;
    },
    'wizard:complete': () => {
      configuration.save((draft) => {
        draft.firstRunCompleted = true;
        delete draft.setupDeferred;
      });
      runner.want(true);
      return done(runner.apply('setup completed'));
    },
  };
}
