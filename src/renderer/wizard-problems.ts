import type { AppProblem } from '../shared/problems.ts';

/** The wizard's steps that show problems: Ollama, provider, review, first answer. */
export type ProblemStep = 'ollama' | 'provider' | 'review' | 'runner';

/**
 * Which of the app's problems a wizard step shows: each where the user can act on it, in the one
 * wording `deriveProblems` gives it, so setup never says a problem differently from the Overview.
 * The review gathers every configuration problem, since it is where "Looks good" waits for them.
 */
export function problemsForStep(problems: readonly AppProblem[], step: ProblemStep): AppProblem[] {
  return problems.filter((problem) => {
    const [kind, field] = problem.id.split(':');
    switch (step) {
      case 'ollama':
        // An invalid flag or environment value is told from the first step: nothing after it is true until it is fixed.
        return kind === 'ollama' || (kind === 'config' && field !== 'apiKey');
      case 'provider':
        return (kind === 'config' || kind === 'config-warning') && field === 'provider';
      case 'review':
        return (
          kind === 'config' ||
          kind === 'config-warning' ||
          kind === 'model-missing' ||
          kind === 'model-downloading' ||
          kind === 'key-rejected' ||
          // A key saved offline is not a finished setup: the review says so plainly.
          kind === 'key-unverified'
        );
      case 'runner':
        return kind === 'runner' || kind === 'key-unverified';
    }
  });
}
