import { SettingsSchema, defaultSettings, type Settings } from '../../shared/settings.ts';
import { maskSecret } from '../../shared/secret-mask.ts';

/** One setting that was invalid and was reset (to its default, or removed when it has none). */
export interface SettingFix {
  /** Dotted path, e.g. `providers.ollama.model`. */
  field: string;
  /** The bad value as it may be shown: clipped, and masked when it could be a secret. */
  shown: string;
  /** Why it was rejected (the schema's message). */
  reason: string;
}

type Json = Record<string, unknown>;

/** Keys that would reach an object's prototype if assigned; a file may carry them, the repair never writes them. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field that holds or could hold a credential: its value is masked in every message. */
const SECRET_FIELD = /secret|key|token|password|encrypted/i;
const SECRET_SHAPE = /^(sk-|xox|gh[pousr]_)|^[A-Za-z0-9+/_=-]{24,}$/;

function showValue(field: string, value: unknown): string {
  if (typeof value === 'string') {
    if (SECRET_FIELD.test(field) || SECRET_SHAPE.test(value)) return `"${maskSecret(value)}"`;
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value) + (value.length > 40 ? ` (${value.length} characters)` : '');
  }
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return String(value);
}

function defaultAt(path: readonly string[]): unknown {
  let current: unknown = defaultSettings();
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

/**
 * Resets one path in place: to the default value there, or removed when the default has none.
 * A parent that is not an object is reset as a whole, so the walk never writes into a string.
 */
function resetAt(root: Json, path: readonly string[]): readonly string[] {
  let container = root;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const key = path[depth]!;
    const next = container[key];
    if (!isObject(next)) return resetAt(root, path.slice(0, depth + 1));
    container = next;
  }
  const key = path.at(-1)!;
  const fallback = defaultAt(path);
  if (fallback === undefined || UNSAFE_KEYS.has(key)) delete container[key];
  else container[key] = structuredClone(fallback);
  return path;
}

function valueAt(root: Json, path: readonly string[]): unknown {
  let current: unknown = root;
  for (const key of path) current = isObject(current) && Object.hasOwn(current, key) ? current[key] : undefined;
  return current;
}

/** Enough rounds for every field of the schema; each round fixes at least one. */
const MAX_ROUNDS = 64;

/** Fixes listed in the schema's order of fields (a rule across fields, like `provider`'s, reports after the others). */
function inSchemaOrder(fixes: SettingFix[]): SettingFix[] {
  const order = Object.keys(SettingsSchema.shape);
  const position = (fix: SettingFix) => order.indexOf(fix.field.split('.')[0]!);
  return fixes
    .map((fix, index) => ({ fix, index }))
    .sort((a, b) => position(a.fix) - position(b.fix) || a.index - b.index)
    .map(({ fix }) => fix);
}

/**
 * Validates a current-version settings object and resets only what is invalid: every valid
 * field (saved models, encrypted keys, `firstRunCompleted`) is kept. Unknown fields are
 * removed. Pure: the input is not changed.
 */
export function repairSettings(raw: Json): { settings: Settings; fixes: SettingFix[] } {
  const current = structuredClone(raw);
  const fixes: SettingFix[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = SettingsSchema.safeParse(current);
    if (parsed.success) return { settings: parsed.data, fixes: inSchemaOrder(fixes) };
    const before = JSON.stringify(current);
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String);
      const targets = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
      for (const target of targets) {
        if (target.length === 0) continue;
        const value = valueAt(current, target);
        const reset = resetAt(current, target);
        const field = reset.join('.');
        // A missing field is filled in silently: a hand-written file may leave out what it does not change.
        if (value === undefined || fixes.some((fix) => fix.field === field)) continue;
        fixes.push({
          field,
          shown: showValue(field, reset.length === target.length ? value : valueAt(raw, reset)),
          reason: issue.code === 'unrecognized_keys' ? 'not a setting this version knows; removed' : issue.message,
        });
      }
    }
    // A round that changed nothing would repeat forever: start over from the defaults.
    if (JSON.stringify(current) === before) break;
  }
  return { settings: defaultSettings(), fixes: [...fixes, { field: '(all)', shown: 'the whole file', reason: 'could not be repaired field by field' }] };
}
