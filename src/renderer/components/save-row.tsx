import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useAction, type ActionState } from './ui.tsx';

/**
 * The one save behaviour of Settings: a draft that does not pass its check says why under the
 * field, before anything is sent; Save is enabled only for a valid change; "Saved." follows a
 * save. `problemId` is the id the fields point at with aria-describedby. A form of one field
 * passes it as `field`: the field and its buttons share a row, and what is wrong shows under it.
 */
export function SaveRow({
  label = 'Save',
  offer,
  action,
  problemId,
  saved,
  field,
  children,
}: {
  label?: string | undefined;
  offer: { enabled: boolean; problem: string | null };
  action: ActionState;
  problemId: string;
  /** What the last save did ("Saved.", "Default restored."), until the next edit. */
  saved: string | null;
  /** The one field of the form, on the row of its buttons. */
  field?: ComponentChildren;
  /** Other buttons of the form (Reset), after Save. */
  children?: ComponentChildren;
}) {
  const problem = offer.problem ? (
    <p id={problemId} class="field__problem" role="status">
      {offer.problem}
    </p>
  ) : null;
  const buttons = (
    <>
      <button type="submit" class="button button--primary" disabled={!offer.enabled || action.busy} aria-describedby={offer.problem ? problemId : undefined}>
        {label}
      </button>
      {children}
    </>
  );
  const status = saved ? (
    <span class="muted" role="status">
      {saved}
    </span>
  ) : null;
  return field ? (
    <>
      <div class="inline-form">
        {field}
        {buttons}
      </div>
      {problem}
      {status}
    </>
  ) : (
    <>
      {problem}
      <div class="form__actions">
        {buttons}
        {status}
      </div>
    </>
  );
}

/**
 * The draft of a `SaveField` and its save. The draft follows the saved value as main keeps it
 * (normalised), once a save lands or another window saves. Save sends the trimmed draft; `clear`
 * sends null (back to the default, whose words are `clearedWords`); what a save did shows until
 * the next edit. `field` is the SaveField's props of it.
 */
export function useSaveField(saved: string, send: (value: string | null) => Promise<unknown>, clearedWords: string) {
  const [draft, setDraft] = useState(saved);
  useEffect(() => setDraft(saved), [saved]);
  const [done, setDone] = useState<string | null>(null);
  const [run, action] = useAction();
  const save = (value: string | null) =>
    void run(async () => {
      setDone(null);
      await send(value);
      setDone(value === null ? clearedWords : 'Saved.');
    });
  const onDraft = (value: string) => {
    setDraft(value);
    setDone(null);
  };
  return { draft, action, clear: () => save(null), field: { draft, onDraft, onSave: () => save(draft.trim()), action, saved: done } };
}

/**
 * A form of one monospace text field on the row of its Save (the path, the command, a base URL):
 * Enter or Save sends the draft only when the offer allows it. The field's problem is
 * `${id}-problem`. `below` is what the form holds under the row (what is in use, errors).
 */
export function SaveField({
  id,
  label,
  labelShown = false,
  formLabel,
  formClass = 'form',
  type = 'text',
  maxLength,
  placeholder,
  draft,
  onDraft,
  onSave,
  saveLabel,
  offer,
  action,
  saved,
  below,
  children,
}: {
  id: string;
  label: string;
  /** Shown above the field; otherwise the card's heading names it and the label is for screen readers. */
  labelShown?: boolean;
  /** The form's accessible name, where a card holds several. */
  formLabel?: string;
  formClass?: string;
  type?: 'text' | 'url';
  maxLength: number;
  placeholder: string;
  draft: string;
  onDraft: (value: string) => void;
  onSave: () => void;
  saveLabel?: string;
  offer: { enabled: boolean; problem: string | null };
  action: ActionState;
  saved: string | null;
  below?: ComponentChildren;
  /** Other buttons of the form (Reset, Search PATH), after Save. */
  children?: ComponentChildren;
}) {
  const problemId = `${id}-problem`;
  return (
    <form
      class={formClass}
      aria-label={formLabel}
      onSubmit={(event) => {
        event.preventDefault();
        if (offer.enabled) onSave();
      }}
    >
      <label class={labelShown ? 'field' : 'visually-hidden'} for={id}>
        {labelShown ? <span class="field__label">{label}</span> : label}
      </label>
      <SaveRow
        label={saveLabel}
        offer={offer}
        action={action}
        problemId={problemId}
        saved={saved}
        field={
          <input
            id={id}
            // Preact types each input type with its own roles, so the type is given as one literal.
            {...(type === 'url' ? { type: 'url' as const } : { type: 'text' as const })}
            class="mono"
            maxLength={maxLength}
            placeholder={placeholder}
            value={draft}
            aria-invalid={offer.problem ? true : undefined}
            aria-describedby={offer.problem ? problemId : undefined}
            onInput={(event) => onDraft(event.currentTarget.value)}
          />
        }
      >
        {children}
      </SaveRow>
      {below}
    </form>
  );
}
