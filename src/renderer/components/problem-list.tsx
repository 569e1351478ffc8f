import type { ComponentChildren } from 'preact';
import { actionCommand } from '../../shared/problem-actions.ts';
import type { AppProblem, ProblemAction } from '../../shared/problems.ts';
import { useStore } from '../store.ts';
import { ActionError, buttonClass, useAction } from './ui.tsx';

/** `unset LLM_PROVIDER` in a detail is shown as code, so it can be copied as it is. */
function withCode(text: string): ComponentChildren {
  return text.split(/`([^`]+)`/).map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part));
}

/**
 * Where a screen action leads when the list is shown somewhere a plain link would be wrong (the
 * wizard: "Use a cloud provider" is its own provider step, not a link to the page it is on).
 */
export type OpenAction = (action: Extract<ProblemAction, { kind: 'open' }>, problem: AppProblem) => void;

interface ActionProps {
  action: ProblemAction;
  problem: AppProblem;
  primary: boolean;
  run: (work: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
  onOpen: OpenAction | undefined;
}

function ActionButton({ action, problem, primary, run, busy, onOpen }: ActionProps) {
  const { bridge } = useStore();
  const className = buttonClass(primary);
  if (action.kind === 'link') {
    return (
      <a class={className} href={action.url} target="_blank" rel="noopener noreferrer">
        {action.label}
      </a>
    );
  }
  if (action.kind === 'open' && onOpen) {
    return (
      <button type="button" class={className} onClick={() => onOpen(action, problem)}>
        {action.label}
      </button>
    );
  }
  if (action.kind === 'open') {
    return (
      <a class={className} href={`#/${action.route}`}>
        {action.label}
      </a>
    );
  }
  const command = actionCommand(action);
  return (
    <button
      type="button"
      class={className}
      disabled={busy || command === null}
      onClick={() => {
        if (command) void run(() => bridge.invoke(command.command, command.payload));
      }}
    >
      {action.label}
    </button>
  );
}

function ProblemItem({ problem, onOpen, leads }: { problem: AppProblem; onOpen: OpenAction | undefined; leads: boolean }) {
  const [run, action] = useAction();
  const tone = problem.severity === 'error' ? 'error' : problem.severity;
  return (
    <li class={`notice notice--${tone} problem`} data-problem={problem.id}>
      {/* The live role is inside the item: a list may hold only list items (axe `list`). */}
      <div class="problem__text" role={problem.severity === 'error' ? 'alert' : 'status'}>
        <p class="notice__message">{problem.title}</p>
        <p class="notice__fix">{withCode(problem.detail)}</p>
      </div>
      {problem.actions.length > 0 ? (
        <div class="problem__actions">
          {problem.actions.map((item, index) => (
            <ActionButton key={item.label} action={item} problem={problem} primary={leads && index === 0} run={run} busy={action.busy} onOpen={onOpen} />
          ))}
        </div>
      ) : null}
      <ActionError state={action} />
    </li>
  );
}

/**
 * The app's problems, each once, with the buttons that fix them (the Overview banner, the wizard's
 * steps). Each problem leads with its first action as a primary button, unless `lead` names the one
 * problem that does (a setup step has one primary button; null: none of them, the step's own leads).
 */
export function ProblemList({ problems, onOpen, lead }: { problems: readonly AppProblem[]; onOpen?: OpenAction; lead?: string | null }) {
  if (problems.length === 0) return null;
  return (
    <ul class="banner problems" aria-label="Problems">
      {problems.map((problem) => (
        <ProblemItem key={problem.id} problem={problem} onOpen={onOpen} leads={lead === undefined || lead === problem.id} />
      ))}
    </ul>
  );
}
