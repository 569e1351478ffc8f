import type { Provider } from '../../shared/providers.ts';
import type { ProviderChoice } from '../../shared/provider-availability.ts';

const DESCRIPTIONS: Record<Provider, string> = {
  anthropic: 'Claude models in the cloud. Needs an API key.',
  openai: 'GPT models in the cloud. Needs an API key.',
  ollama: 'Open models on this machine: private, offline, free.',
};

const STEPS: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

/**
 * Arrow keys move focus between the enabled options without choosing one: a choice restarts the
 * runner, so it takes Space, Enter or a click (a native radio group would choose on every arrow).
 */
function onGroupKeyDown(event: KeyboardEvent, onChange: (provider: Provider) => void): void {
  const target = event.target as HTMLInputElement | null;
  if (target?.type !== 'radio') return;
  if (event.key === 'Enter') {
    event.preventDefault();
    onChange(target.value as Provider);
    return;
  }
  const step = STEPS[event.key];
  if (step === undefined) return;
  event.preventDefault();
  const radios = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLInputElement>('input[type="radio"]:not(:disabled)')];
  const index = radios.indexOf(target);
  radios[(index + step + radios.length) % radios.length]?.focus();
}

/** The provider radio group; an unusable option is disabled and says why. */
/**
 * A pin is information (the user chose, outside the app); a provider in use that cannot work is
 * an error; another provider that cannot be chosen yet is a catch, in the warning colour.
 */
const reasonTone = (choice: ProviderChoice): 'info' | 'error' | 'warning' => (choice.pinned ? 'info' : choice.selected ? 'error' : 'warning');
const reasonText = (choice: ProviderChoice): string =>
  choice.selected ? `In use, ${choice.pinned ? '' : 'but '}${choice.disabledReason}` : `Unavailable: ${choice.disabledReason}`;

export function ProviderRadio({
  choices,
  value,
  onChange,
  legend,
}: {
  choices: ProviderChoice[];
  /** The provider checked; null when none is (an OpenAI-compatible endpoint is in use). */
  value: Provider | null;
  onChange: (provider: Provider) => void;
  legend: string;
}) {
  return (
    <fieldset class="choice-group" onKeyDown={(event) => onGroupKeyDown(event, onChange)}>
      <legend class="visually-hidden">{legend}</legend>
      {choices.map((choice) => {
        const disabled = choice.disabledReason !== null;
        const reasonId = `provider-reason-${choice.provider}`;
        return (
          <label key={choice.provider} class={`choice${disabled ? ' choice--disabled' : ''}${value === choice.provider ? ' choice--checked' : ''}`}>
            <input
              type="radio"
              name={legend}
              value={choice.provider}
              checked={value === choice.provider}
              disabled={disabled}
              aria-describedby={reasonId}
              onChange={() => onChange(choice.provider)}
            />
            <span class="choice__text">
              <span class="choice__title">{choice.label}</span>
              <span class="choice__description" id={reasonId}>
                {disabled ? <span class={`choice__reason choice__reason--${reasonTone(choice)}`}>{reasonText(choice)}</span> : DESCRIPTIONS[choice.provider]}
              </span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
