import type { ComponentChildren } from 'preact';
import type { ActionState } from './ui.tsx';

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
  label?: string;
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
