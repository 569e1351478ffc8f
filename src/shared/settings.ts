import { z } from 'zod';
import { EndpointIdSchema, EndpointListSchema } from './endpoints.ts';
import { CLOUD_PROVIDERS, PROVIDERS, ProviderSchema, cloudProviderObject, perProvider, providerObject } from './providers.ts';

/** Bump with a migration in `src/main/settings/migrations.ts`. */
export const SETTINGS_VERSION = 1;

const Text = (max: number) => z.string().trim().min(1).max(max);

const ProviderSettingsSchema = z
  .object({
    /** The model last chosen for this provider, remembered when switching away and back. */
    model: Text(256).optional(),
    baseUrl: Text(2048).optional(),
  })
  .strict();

export const OllamaServerSettingsSchema = z
  .object({
    /** The `ollama` binary to launch; found on PATH and in the install locations when unset. */
    path: Text(4096).optional(),
    /** `OLLAMA_MODELS` for a launched server. */
    modelsDir: Text(4096).optional(),
    /** `OLLAMA_CONTEXT_LENGTH` for a launched server. */
    contextLength: z.number().int().min(256).max(1_048_576).optional(),
    /** The context length each model's fit is estimated at (its card), by `name:tag`; others use `contextLength`. */
    modelContext: z.record(Text(256), z.number().int().min(256).max(1_048_576)).optional(),
    /** `OLLAMA_KEEP_ALIVE` for a launched server, e.g. `5m` or `-1`. */
    keepAlive: Text(32).optional(),
    /** Bind a launched server to 0.0.0.0 so other machines can reach it. */
    exposeToNetwork: z.boolean(),
    /** A mirror of Ollama's GitHub releases for Install Ollama (STIGMER_OLLAMA_RELEASES_URL wins). */
    releasesUrl: Text(2048).optional(),
  })
  .strict();

const Ciphertext = z.base64().max(16_384);
/** Ciphertexts of API keys (base64), encrypted by the OS keychain; never plaintext. Endpoints' keys under their id. */
const EncryptedKeysSchema = cloudProviderObject(Ciphertext.optional()).extend({ endpoints: z.record(z.string().max(40), Ciphertext).optional() });

export const SettingsSchema = z
  .object({
    version: z.literal(SETTINGS_VERSION),
    /** A built-in provider's id or an endpoint's (the cascade says when it names no endpoint). */
    provider: z.union([ProviderSchema, EndpointIdSchema]).optional(),
    providers: providerObject(ProviderSettingsSchema),
    /** The user's OpenAI-compatible endpoints (src/shared/endpoints.ts); absent is none. */
    endpoints: EndpointListSchema.optional(),
    ollama: OllamaServerSettingsSchema,
    runner: z
      .object({
        command: Text(8192).optional(),
        /** A custom runner gets the JSON-lines control channel (`STIGMER_CONTROL_FD`); unset is off. Flag and environment win. */
        controlChannel: z.boolean().optional(),
      })
      .strict(),
    secrets: z
      .object({
        encrypted: EncryptedKeysSchema,
        /** The user explicitly accepted storage that is not a real keychain (Linux `basic_text`). */
        acceptWeakStorage: z.boolean(),
        /** Keys saved while their provider could not be reached: checked again when it can be. */
        unverified: z.array(z.enum(CLOUD_PROVIDERS)).max(CLOUD_PROVIDERS.length).optional(),
      })
      .strict(),
    startAtLogin: z.boolean(),
    firstRunCompleted: z.boolean(),
    /** The user chose "Set up later" in the wizard. */
    setupDeferred: z.boolean().optional(),
    /** The desktop app's own updates: `enabled` absent means on; `feedUrl` overrides app-update.yml (STIGMER_UPDATE_URL wins). */
    updates: z
      .object({ enabled: z.boolean().optional(), feedUrl: Text(2048).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const { provider } = settings;
    if (provider === undefined || (PROVIDERS as readonly string[]).includes(provider)) return;
    if (settings.endpoints?.some((endpoint) => endpoint.id === provider)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['provider'],
      input: provider,
      message: `Invalid option: expected one of ${PROVIDERS.map((known) => JSON.stringify(known)).join('|')} or an endpoint's id`,
    });
  });

export type Settings = z.infer<typeof SettingsSchema>;

export const defaultSettings = (): Settings => ({
  version: SETTINGS_VERSION,
  providers: perProvider(() => ({})),
  ollama: { exposeToNetwork: false },
  runner: {},
  secrets: { encrypted: {}, acceptWeakStorage: false },
  startAtLogin: false,
  firstRunCompleted: false,
});
