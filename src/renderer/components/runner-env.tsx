import type { AppState } from '../../shared/state-schema.ts';

/**
 * The variables the runner was started with (keys masked), folded inside the runner card: the
 * first place to look when a runner "uses the wrong model" or the wrong server.
 */
export function RunnerEnvDetails({ runnerEnv }: { runnerEnv: AppState['runnerEnv'] }) {
  if (runnerEnv === null) return null;
  return (
    <details class="runner-env">
      <summary class="runner-env__summary">
        Environment it received <span class="muted">({runnerEnv.variables.length} variables)</span>
      </summary>
      <dl class="env-vars" aria-label="Runner environment">
        {runnerEnv.variables.map((variable) => (
          <div key={variable.name} class="env-vars__row">
            <dt class="env-vars__name mono">{variable.name}</dt>
            <dd class="env-vars__value mono">{variable.value}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">
        Set by the app on top of its own environment; keys are masked.
        {runnerEnv.withheld.length > 0 ? (
          <>
            {' '}
            Not passed on from the app's environment: <span class="mono">{runnerEnv.withheld.join(', ')}</span>.
          </>
        ) : null}
      </p>
    </details>
  );
}
