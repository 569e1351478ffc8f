/**
 * A message from deep inside ("model \"x\" is not installed…", "cannot reach …") as the sentence
 * the user reads: a capital first letter and a full stop. Only a plain lowercase word is
 * capitalised, so a message that opens with a name (`llama3.2`, `--llm-model`, a path) keeps it.
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capital = /^[a-z]+[\s,;:]/.test(trimmed) ? `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}` : trimmed;
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
