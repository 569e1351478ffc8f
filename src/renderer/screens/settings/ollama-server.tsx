import { useEffect, useState } from 'preact/hooks';
import { LIMITS } from '../../../shared/limits.ts';
import { EXPOSURE_EXPLAINED } from '../../../shared/ollama-exposure.ts';
import type { OllamaServerOptions } from '../../../shared/state-schema.ts';
import { SaveRow } from '../../components/save-row.tsx';
import { ActionError, Problem, useAction } from '../../components/ui.tsx';
import { contextLengthCheck, keepAliveCheck, saveOffer } from '../../settings-checks.ts';
import { useAppState, useStore } from '../../store.ts';

/** The saved options as the form's fields hold them. */
const asFields = (options: OllamaServerOptions) => ({
  modelsDir: options.modelsDir ?? '',
  contextLength: options.contextLength === null ? '' : String(options.contextLength),
  keepAlive: options.keepAlive ?? '',
});

export function OllamaServerSection() {
  const { bridge } = useStore();
  const state = useAppState();
  const saved = asFields(state.ollamaOptions);
  const [modelsDir, setModelsDir] = useState(saved.modelsDir);
  const [contextLength, setContextLength] = useState(saved.contextLength);
  const [keepAlive, setKeepAlive] = useState(saved.keepAlive);
  const [expose, setExpose] = useState(state.ollamaOptions.exposeToNetwork);
  const [done, setDone] = useState<string | null>(null);
  // The saved options as main keeps them, once a save lands or another window saves.
  useEffect(() => {
    setModelsDir(saved.modelsDir);
    setContextLength(saved.contextLength);
    setKeepAlive(saved.keepAlive);
    setExpose(state.ollamaOptions.exposeToNetwork);
  }, [saved.modelsDir, saved.contextLength, saved.keepAlive, state.ollamaOptions.exposeToNetwork]);
  const [run, action] = useAction();
  const offer = saveOffer(
    [
      { draft: modelsDir, saved: saved.modelsDir },
      { draft: contextLength, saved: saved.contextLength, check: contextLengthCheck },
      { draft: keepAlive, saved: saved.keepAlive, check: keepAliveCheck },
    ],
    expose !== state.ollamaOptions.exposeToNetwork,
  );
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setDone(null);
    };

  const submit = () =>
    run(async () => {
      setDone(null);
      await bridge.invoke('ollama:set-options', {
        modelsDir: modelsDir.trim() || null,
        contextLength: contextLength.trim() === '' ? null : Number(contextLength),
        keepAlive: keepAlive.trim() || null,
        exposeToNetwork: expose,
      });
      setDone('Saved.');
    });

  return (
    <>
      <p class="hint">Used when the app launches Ollama itself; applied at the next start of the server. Empty fields keep Ollama's defaults.</p>
      <form
        class="form"
        aria-label="Ollama server options"
        onSubmit={(event) => {
          event.preventDefault();
          if (offer.enabled) void submit();
        }}
      >
        <label class="field">
          <span class="field__label">Models folder</span>
          <input
            type="text"
            class="mono"
            value={modelsDir}
            maxLength={LIMITS.path}
            placeholder="Ollama's default (~/.ollama/models)"
            onInput={(event) => edit(setModelsDir)(event.currentTarget.value)}
          />
        </label>
        <div class="field-row">
          <label class="field">
            <span class="field__label">Context length</span>
            <input
              type="text"
              inputMode="numeric"
              value={contextLength}
              placeholder="default"
              aria-describedby={offer.problem ? 'ollama-server-problem' : undefined}
              onInput={(event) => edit(setContextLength)(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">Keep models loaded for</span>
            <input
              type="text"
              value={keepAlive}
              maxLength={LIMITS.keepAlive}
              placeholder="5m"
              aria-describedby={offer.problem ? 'ollama-server-problem' : undefined}
              onInput={(event) => edit(setKeepAlive)(event.currentTarget.value)}
            />
          </label>
        </div>
        <label class="check">
          <input type="checkbox" checked={expose} onChange={(event) => edit(setExpose)(event.currentTarget.checked)} />
          <span>Expose Ollama to the network (listen on 0.0.0.0)</span>
        </label>
        {expose ? (
          <Problem
            tone="warning"
            message={EXPOSURE_EXPLAINED}
            fix="Only turn this on for a trusted network, or behind a firewall. It stays off unless you turn it on."
          />
        ) : (
          <p class="hint">Off: only this machine can reach Ollama. Turned on, anyone on your network could use it, without a password.</p>
        )}
        <SaveRow label="Save server options" offer={offer} action={action} problemId="ollama-server-problem" saved={done} />
      </form>
      <ActionError state={action} />
    </>
  );
}
