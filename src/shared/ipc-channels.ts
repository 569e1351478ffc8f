/**
 * The two Electron IPC channels that carry the contract of `ipc.ts`: one for commands
 * (invoke/handle), one for pushed events. Kept apart from the schemas so the sandboxed preload
 * bundles nothing but these names.
 */
export const IPC_CHANNELS = {
  invoke: 'stigmer:invoke',
  event: 'stigmer:event',
} as const;
