import { isPinnedSource, sourceName, type ConfigFieldName, type ConfigIssue, type ConfigSource } from '../../shared/config.ts';

/**
 * The cascade's building blocks, shared by the field resolvers (`resolve.ts`) and the endpoint
 * resolver (`endpoint.ts`): a candidate value per layer, walked highest layer first.
 */

export interface ResolvedField<T> {
  value: T;
  source: ConfigSource;
  pinned: boolean;
}

export interface Candidate {
  source: ConfigSource;
  raw: string | undefined;
}

export type Parsed<T> = { ok: true; value: T; warning?: string } | { ok: false; message: string };

export interface Issues {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** An empty or whitespace-only value counts as unset at every layer. */
export const isBlank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

export const field = <T>(value: T, source: ConfigSource): ResolvedField<T> => ({ value, source, pinned: isPinnedSource(source) });

export const quote = (raw: string): string => JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);

/** How an input is named in messages: the flag or variable itself, or the saved setting's path. */
export function inputName(source: ConfigSource, settingPath: string): string {
  if (source === 'settings') return `saved setting ${settingPath}`;
  return sourceName(source);
}

export const flagCandidate = (name: string, raw: string | undefined): Candidate => ({ source: `flag:--${name}`, raw });
export const envCandidate = (env: Readonly<Record<string, string | undefined>>, name: string): Candidate => ({ source: `env:${name}`, raw: env[name] });

/**
 * Walks the candidates highest layer first and takes the first one that is set and valid.
 * An invalid value is reported as an error and the next layer is tried, so the rest of the
 * configuration can still be shown; the errors keep the runner from starting.
 */
export function firstValid<T>(
  fieldName: ConfigFieldName,
  candidates: readonly Candidate[],
  parse: (raw: string, candidate: Candidate) => Parsed<T>,
  issues: Issues,
): ResolvedField<T> | undefined {
  for (const candidate of candidates) {
    if (isBlank(candidate.raw)) continue;
    const parsed = parse(candidate.raw.trim(), candidate);
    if (parsed.ok) {
      if (parsed.warning) issues.warnings.push({ field: fieldName, source: candidate.source, message: parsed.warning });
      return field(parsed.value, candidate.source);
    }
    issues.errors.push({ field: fieldName, source: candidate.source, message: parsed.message });
  }
  return undefined;
}
