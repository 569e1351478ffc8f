import { z } from 'zod';
import { CommandFailureSchema, events, WsRequestSchema, type CommandReply, type EventName } from './ipc.ts';

/**
 * The control socket's framing: the `stigmer` command ↔ a running app, one JSON object per line
 * (newline-delimited JSON) over a unix socket or a Windows named pipe. Commands and events are the
 * contract of ipc.ts, unchanged: a command line has the WebSocket bridge's `{id, command, payload}`
 * shape and is dispatched the same way; a subscription asks for pushed events.
 */

/** Largest request line the app reads; a longer one ends the connection. */
export const CONTROL_MAX_LINE_BYTES = 1024 * 1024;

const EventNameSchema = z.enum(Object.keys(events) as [EventName, ...EventName[]]);

/** Client → app: the events this connection wants pushed from now on (replacing any earlier choice). */
export const ControlSubscribeSchema = z.object({
  id: WsRequestSchema.shape.id,
  subscribe: z.array(EventNameSchema).max(Object.keys(events).length),
});

export const ControlRequestSchema = z.union([ControlSubscribeSchema.strict(), WsRequestSchema.strict()]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

/** App → client: a reply to one request (`id` null when the line could not be read), or a pushed event. */
export type ControlServerMessage = ({ type: 'reply'; id: number | null } & CommandReply) | { type: 'event'; event: EventName; payload: unknown };

export const ControlServerMessageSchema = z.union([
  z.object({ type: z.literal('reply'), id: z.number().int().nullable(), ok: z.literal(true), value: z.unknown() }),
  z.object({
    type: z.literal('reply'),
    id: z.number().int().nullable(),
    ok: z.literal(false),
    error: CommandFailureSchema,
  }),
  z.object({ type: z.literal('event'), event: EventNameSchema, payload: z.unknown() }),
]);
