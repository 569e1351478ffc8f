import { activeProviderLabel } from '../../shared/provider-availability.ts';
import type { ComponentChildren } from 'preact';
import type { ConfigFieldName, PublicConfig } from '../../shared/config.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { networkExposure } from '../../shared/ollama-exposure.ts';
import { CLOUD_PROVIDERS, PROVIDER_SPECS, type CloudProvider } from '../../shared/providers.ts';
import { RunnerEnvDetails } from '../components/runner-env.tsx';
import { ActionError, Card, PinnedBadge, Problem, Row, SourceBadge, StatusPill, useAction } from '../components/ui.tsx';
import { useNow } from '../components/use-now.ts';
import { formatBytes, formatDuration, formatTimeOfDay } from '../format.ts';
import { ProblemList } from '../components/problem-list.tsx';
import { apiKeyText, invalidFieldText, keyStatus, ollamaBinaryText, ollamaNotInUse, ollamaStatus, runnerHint, runnerStatus } from '../status.ts';
import { useAppState, useStore } from '../store.ts';

const FIELD_LABELS: Record<ConfigFieldName, string> = { provider: 'Provider', model: 'Model', baseUrl: 'Base URL', apiKey: 'API key' };

function ConfigValue({ config, field }: { config: PublicConfig; field: ConfigFieldName }) {
  const resolved = config[field];
  const key = apiKeyText(config);
  const alias = field === 'model' ? config.model.alias?.alias : undefined;
  const shown =
    field === 'provider' ? activeProviderLabel(config) : field === 'apiKey' ? key.text : alias ? `${alias} → ${config.model.value}` : resolved.value;
  const look = field !== 'apiKey' || key.tone === 'value' ? 'mono' : key.tone === 'error' ? 'error-text' : 'muted';
  const invalid = invalidFieldText(config, field);
  if (invalid) {
    return (
      <div class="config-value">
        <span class="config-value__text error-text">{invalid}</span>
      </div>
    );
  }
  return (
    <div class="config-value">
      <span class={`config-value__text ${look}`}>{shown}</span>
      <span class="config-value__badges">
        <SourceBadge source={resolved.source} />
        {resolved.pinned ? <PinnedBadge source={resolved.source} /> : null}
      </span>
    </div>
  );
}

function ConfigurationCard({ state }: { state: AppState }) {
  const { config } = state;
  return (
    <Card title="Configuration" wide>
      <dl class="rows">
        {(['provider', 'model', 'baseUrl', 'apiKey'] as const).map((field) => (
          <Row key={field} label={FIELD_LABELS[field]}>
            <ConfigValue config={config} field={field} />
          </Row>
        ))}
        <Row label="Runner command">
          <div class="config-value">
            <span class="config-value__text mono">{state.runnerCommand.value}</span>
            <span class="config-value__badges">
              <SourceBadge source={state.runnerCommand.source} />
              {state.runnerCommand.pinned ? <PinnedBadge source={state.runnerCommand.source} /> : null}
            </span>
          </div>
        </Row>
        {/* The built-in runner always has its channel; a custom one only when asked (Settings → Runner command). */}
        {state.runnerCommand.source === 'default' ? null : <ControlChannelRow channel={state.runnerCommand.controlChannel} />}
      </dl>
      {/* Errors and warnings are problems: the banner above shows each once, with its fix. */}
    </Card>
  );
}

function ControlChannelRow({ channel }: { channel: AppState['runnerCommand']['controlChannel'] }) {
  return (
    <Row label="Control channel">
      <div class="config-value">
        <span class="config-value__text">{channel.value ? 'on: the runner takes tasks on STIGMER_CONTROL_FD' : 'off: logs only, no tasks'}</span>
        <span class="config-value__badges">
          <SourceBadge source={channel.source} />
          {channel.pinned ? <PinnedBadge source={channel.source} /> : null}
        </span>
      </div>
    </Row>
  );
}

function KeyPill({ verification }: { verification: AppState['keyChecks'][CloudProvider] }) {
  const status = keyStatus(verification);
  return status && verification ? (
    <span title={verification.message}>
      <StatusPill tone={status.tone}>{status.text}</StatusPill>
    </span>
  ) : null;
}

function KeysCard({ state }: { state: AppState }) {
  return (
    <Card
      title="API keys"
      actions={
        <a class="button button--ghost" href="#/settings">
          Manage
        </a>
      }
    >
      <dl class="rows">
        {CLOUD_PROVIDERS.map((provider) => {
          const key = state.config.keys[provider];
          return (
            <Row key={provider} label={PROVIDER_SPECS[provider].label}>
              {key ? (
                <div class="config-value">
                  <span class="config-value__text mono">{key.masked}</span>
                  <SourceBadge source={key.source} />
                  <KeyPill verification={state.keyChecks[provider]} />
                </div>
              ) : (
                <span class="muted">No key</span>
              )}
            </Row>
          );
        })}
      </dl>
      {state.secrets.notice ? <p class="hint">{state.secrets.notice}</p> : null}
    </Card>
  );
}

/** Shown on top of the window while "Expose to network" is on. */
function ExposureBanner({ state }: { state: AppState }) {
  const exposure = networkExposure(state);
  return exposure ? (
    <div class="banner">
      <Problem tone="warning" message={exposure.message} fix={exposure.fix} />
    </div>
  ) : null;
}

function OllamaCard({ state }: { state: AppState }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const { ollama } = state;
  const provider = state.config.provider.value;
  const status = ollamaStatus(ollama, provider);
  const notInUse = ollamaNotInUse(ollama, provider);
  const binary = ollamaBinaryText(ollama);
  const canStart = ollama.binary !== null && (ollama.server.phase === 'stopped' || ollama.server.phase === 'failed');
  const canStop = ollama.server.phase === 'running' && ollama.server.owner === 'managed';
  // With Ollama as the provider its problem is on the banner; otherwise it is told here only.
  const problem = 'reason' in ollama.server && provider !== 'ollama' ? ollama.server : null;
  return (
    <Card
      title="Ollama"
      actions={
        <>
          {canStart ? (
            <button type="button" class="button" disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:start', {}))}>
              Start
            </button>
          ) : null}
          {canStop ? (
            <button type="button" class="button" disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:stop', {}))}>
              Stop
            </button>
          ) : null}
        </>
      }
    >
      <dl class="rows">
        <Row label="Status">
          <StatusPill tone={status.tone}>{status.text}</StatusPill>
        </Row>
        <Row label="Version">{ollama.serverVersion ?? ollama.binary?.version ?? <span class="muted">unknown</span>}</Row>
        <Row label="Server">
          <span class="mono">{ollama.url}</span>
        </Row>
        <Row label="Binary">
          <span class={binary.muted ? 'muted' : 'mono'}>{binary.text}</span>
        </Row>
        {ollama.pid !== null ? <Row label="PID">{ollama.pid}</Row> : null}
      </dl>
      {problem ? <Problem message={problem.reason} fix={problem.fix} /> : null}
      {ollama.warnings.map((warning) => (
        <Problem key={warning} tone="warning" message={warning} />
      ))}
      <ActionError state={action} />
      <h3 class="subheading">Installed models</h3>
      {notInUse ? (
        <p class="muted">No Ollama answers, and with {PROVIDER_SPECS[provider].label} as the provider none is started; Start runs one to see its models.</p>
      ) : ollama.models.length === 0 ? (
        <p class="muted">No models installed yet.</p>
      ) : (
        <ul class="model-list">
          {ollama.models.map((model) => (
            <li key={model.name} class="model-list__item">
              <span class="mono">{model.name}</span>
              <span class="muted">{[model.parameterSize, model.quantization, formatBytes(model.sizeBytes)].filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function RunnerCard({ state }: { state: AppState }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const now = useNow();
  const { runner } = state;
  const status = runnerStatus(runner, now);
  const stuck = runner.state === 'failed' || runner.state === 'crash-loop';
  const active = runner.state === 'running' || runner.state === 'starting' || runner.state === 'backoff';
  const button = (label: string, work: () => Promise<unknown>, primary = false): ComponentChildren => (
    <button type="button" class={primary ? 'button button--primary' : 'button'} disabled={action.busy} onClick={() => void run(work)}>
      {label}
    </button>
  );
  return (
    <Card
      title="Runner"
      actions={
        <>
          {stuck ? button('Retry', () => bridge.invoke('runner:retry', {}), true) : null}
          {!active && !stuck ? button('Start', () => bridge.invoke('runner:start', {}), true) : null}
          {active ? button('Restart', () => bridge.invoke('runner:restart', {})) : null}
          {active ? button('Stop', () => bridge.invoke('runner:stop', {})) : null}
        </>
      }
    >
      <dl class="rows">
        <Row label="Status">
          <StatusPill tone={status.tone}>{status.text}</StatusPill>
        </Row>
        <Row label="PID">{runner.pid ?? <span class="muted">—</span>}</Row>
        <Row label="Uptime">
          {runner.startedAt !== null && runner.state === 'running' ? formatDuration(now - runner.startedAt) : <span class="muted">—</span>}
        </Row>
        <Row label="Restarts">{runner.restarts}</Row>
        <Row label="Last exit">
          {runner.lastExit ? (
            <span>
              {runner.lastExit.signal ? `signal ${runner.lastExit.signal}` : `code ${runner.lastExit.code}`}
              <span class="muted"> · {formatTimeOfDay(runner.lastExit.at)}</span>
            </span>
          ) : (
            <span class="muted">—</span>
          )}
        </Row>
      </dl>
      <p class="hint">{runnerHint(runner, now)}</p>
      {runner.lastLines.length > 0 && stuck ? <pre class="last-lines">{runner.lastLines.join('\n')}</pre> : null}
      <RunnerEnvDetails runnerEnv={state.runnerEnv} />
      <ActionError state={action} />
    </Card>
  );
}

export function OverviewScreen() {
  const state = useAppState();
  return (
    <div class="screen">
      <ProblemList problems={state.problems} />
      <ExposureBanner state={state} />
      <div class="grid">
        <ConfigurationCard state={state} />
        <RunnerCard state={state} />
        <OllamaCard state={state} />
        <KeysCard state={state} />
      </div>
      <p class="footnote">
        {state.host === 'headless' ? 'Headless host' : 'Desktop app'} · logs in <span class="mono">{state.logsDir}</span>
      </p>
    </div>
  );
}
