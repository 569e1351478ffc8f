/** Loads the electron-builder configurations and electron-builder's own schema for the tests. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export type BuilderConfig = Record<string, unknown> & {
  electronFuses?: Record<string, boolean>;
  extends?: string;
  /** Set in electron-builder.yml, which every test config extends. */
  productName?: string;
};

export function readBuilderConfig(file: string): BuilderConfig {
  const parsed = yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} is not a YAML mapping`);
  return parsed as BuilderConfig;
}

/** The JSON schema electron-builder validates every configuration against before building. */
const schemaFile = createRequire(import.meta.url).resolve('app-builder-lib/scheme.json');

/**
 * Errors from electron-builder's schema, or an empty list. Stricter than electron-builder itself,
 * which coerces types (it would accept the string "false" for a fuse).
 */
export const schemaErrors: (config: unknown) => string[] = (() => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
  return (config) => (validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
})();

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** electron-builder's deepAssign: mappings merge key by key, lists are unioned (a child cannot drop a parent's entry), the rest is replaced. */
function deepAssign(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] =
      isMapping(current) && isMapping(value)
        ? deepAssign(current, value)
        : Array.isArray(current) && Array.isArray(value)
          ? [...new Set([...current, ...value])]
          : value;
  }
  return merged;
}

/**
 * The effective configuration of a file that `extends` a parent, merged as electron-builder
 * merges it (its special merging of `files` globs is not needed here, since a child that names no
 * `files` keeps the parent's). That is why the test build's targets are chosen on the command line
 * (`--dir`), not in electron-builder.test.yml: a `target` list there would add to the parent's.
 */
export function withParent(child: BuilderConfig, parent: BuilderConfig): BuilderConfig {
  const { extends: _parentName, ...own } = child;
  return deepAssign(parent, own);
}
