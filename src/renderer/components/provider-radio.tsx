import type { Provider } from '../../shared/providers.ts';
import type { ProviderChoice } from '../../shared/provider-availability.ts';

const DESCRIPTIONS: Record<Provider, string> = {
  anthropic: 'Claude models in the cloud. Needs an API key.',
  openai: 'GPT models in the cloud. Needs an API key.',
  ollama: 'Open models on this machine: private, offline, free.',
};

/** The provider radio group; an unusable option is disabled and says why. */
export function ProviderRadio({
  choices,
  value,
  onChange,
  legend,
}: {
  choices: ProviderChoice[];
  value: Provider;
  onChange: (provider: Provider) => void;
  legend: string;
}) {
  return (
    <fieldset class="choice-group">
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
                {disabled ? (
                  <span class="choice__reason">{choice.selected ? `In use, ${choice.disabledReason}` : `Unavailable: ${choice.disabledReason}`}</span>
                ) : (
                  DESCRIPTIONS[choice.provider]
                )}
              </span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
