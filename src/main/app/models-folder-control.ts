import os from 'node:os';
import path from 'node:path';
import type { LogEntry } from '../../shared/logs.ts';
import { describeMove, type ModelsMoveProgress, type ModelsMoveResult } from '../../shared/models-folder.ts';
import { formatBytes } from '../../shared/format-bytes.ts';
import { deleteOldModelsFolder, moveModelsFolder } from '../ollama/models-folder-move.ts';
import { CommandError } from './command-error.ts';
import type { Configuration } from './configuration.ts';
import type { OllamaControl } from './ollama-control.ts';
import type { SettingsStore } from '../settings/settings-store.ts';

export interface ModelsFolderControlDeps {
  configuration: Configuration;
  settings: SettingsStore;
  ollama: OllamaControl;
  /** The app's environment: a launched Ollama inherits its OLLAMA_MODELS when no folder is saved. */
  env: NodeJS.ProcessEnv;
  onProgress: (progress: ModelsMoveProgress) => void;
  log: (level: LogEntry['level'], msg: string) => void;
}

/** The folder a launched `ollama serve` uses: the saved setting, else the inherited OLLAMA_MODELS, else Ollama's default. Pure. */
export function modelsFolderInUse(saved: string | undefined, env: NodeJS.ProcessEnv, home = os.homedir()): string {
  return saved ?? (env.OLLAMA_MODELS?.trim() || path.join(env.HOME?.trim() || env.USERPROFILE?.trim() || home, '.ollama', 'models'));
}

/**
 * The app side of moving the models folder: one move at a time, switched by saving the setting
 * and relaunching the managed Ollama through `OllamaControl.replace` (as a changed server option
 * is), and the one old folder a successful move left, which only it may delete.
 */
export class ModelsFolderControl {
  readonly #deps: ModelsFolderControlDeps;
  #running: AbortController | undefined;
  #oldFolder: string | undefined;

  constructor(deps: ModelsFolderControlDeps) {
    this.#deps = deps;
  }

  async move(target: string): Promise<ModelsMoveResult> {
    if (this.#running) throw new CommandError('A move of the models folder is already running.', 'Wait for it to finish, or cancel it.');
    const { configuration, ollama, env, log } = this.#deps;
    const controller = new AbortController();
    this.#running = controller;
    const source = modelsFolderInUse(this.#deps.settings.get().ollama.modelsDir, env);
    log('info', `Moving the models folder from ${source} to ${target}`);
    try {
      const result = await moveModelsFolder(
        { source, target, signal: controller.signal, onProgress: this.#deps.onProgress },
        {
          server: () => ollama.manager.getState().server,
          switchTo: async (folder) => {
            configuration.save((draft) => void (draft.ollama.modelsDir = folder));
            await ollama.replace();
          },
          listModels: async () => (await ollama.manager.listModels()).map((model) => model.name),
        },
      );
      if (result.ok) {
        this.#oldFolder = result.source;
        log('info', `${describeMove(result)} The old copy stays in ${result.source} until deleted.`);
      } else {
        log(result.cancelled ? 'info' : 'warn', `Models folder not moved: ${result.message} ${result.fix}`);
      }
      return result;
    } finally {
      this.#running = undefined;
    }
  }

  cancel(): void {
    this.#running?.abort();
  }

  /** Deletes the old copy of the last successful move, and nothing else. */
  async deleteOld(folder: string): Promise<{ freedBytes: number }> {
    if (folder !== this.#oldFolder) {
      throw new CommandError(`${folder} is not the old copy of a move this app made.`, 'Only the folder a move just left can be deleted from here.');
    }
    const inUse = modelsFolderInUse(this.#deps.settings.get().ollama.modelsDir, this.#deps.env);
    const freedBytes = await deleteOldModelsFolder(folder, inUse);
    this.#oldFolder = undefined;
    this.#deps.log('info', `Deleted the old models folder ${folder}, freeing ${formatBytes(freedBytes)}`);
    return { freedBytes };
  }
}
