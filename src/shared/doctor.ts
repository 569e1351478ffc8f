import { z } from 'zod';
import { PublicConfigSchema } from './config.ts';
import { HardwareSchema } from './hardware.ts';
import { OllamaBinarySchema, OllamaOwnerSchema } from './ollama.ts';

export const DoctorStatusSchema = z.enum(['ok', 'warn', 'error']);
export type DoctorStatus = z.infer<typeof DoctorStatusSchema>;

/** One finding of `--doctor`: what was checked, how it went, and what to do when it is not ok. */
export const DoctorCheckSchema = z.object({
  name: z.string(),
  status: DoctorStatusSchema,
  detail: z.string(),
  /** Null when there is nothing to fix. */
  fix: z.string().nullable(),
});
export type DoctorCheck = z.infer<typeof DoctorCheckSchema>;

/** The `--doctor --json` document. */
export const DoctorReportSchema = z.object({
  /** False when any check is an error (the command then exits 1). */
  ok: z.boolean(),
  config: PublicConfigSchema,
  ollama: z.object({
    url: z.string(),
    /** The host is this machine, so Stigmer may launch a server there. */
    local: z.boolean(),
    binary: OllamaBinarySchema.nullable(),
    server: z.object({
      reachable: z.boolean(),
      version: z.string().nullable(),
      owner: OllamaOwnerSchema.nullable(),
      /** Why it is not reachable, when it is not. */
      problem: z.string().nullable(),
    }),
    models: z.array(z.string()),
    configuredModel: z.string().nullable(),
    /** Null when not known (not an Ollama configuration, or the server is not reachable). */
    configuredModelPresent: z.boolean().nullable(),
  }),
  /** This machine's memory and GPUs, each number with its source. */
  hardware: HardwareSchema,
  runner: z.object({
    command: z.array(z.string()),
    source: z.string(),
    executable: z.string().nullable(),
    /** Whether a runner of your own gets the control channel, and from where; null while STIGMER_RUNNER_CONTROL_CHANNEL is invalid. */
    controlChannel: z.object({ enabled: z.boolean(), source: z.string() }).nullable(),
  }),
  checks: z.array(DoctorCheckSchema),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
