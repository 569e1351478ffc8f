/**
 * The entry of a utility process: gives the module Electron's `process.parentPort` (docs:
 * utility-process, parentPort) over Node's IPC channel, then loads it with its own argv.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, ...args] = process.argv.slice(2);
const parentPort = Object.assign(new EventEmitter(), {
  postMessage: (message: unknown) => process.send?.(message),
  start() {},
  close() {},
});
process.on('message', (message) => parentPort.emit('message', { data: message, ports: [] }));
// A parentPort with a 'message' listener keeps the process alive, as a started MessagePort does; the channel alone does not.
process.channel?.unref();
parentPort.on('newListener', (event) => {
  if (event === 'message') process.channel?.ref();
});
parentPort.on('removeListener', () => {
  if (parentPort.listenerCount('message') === 0) process.channel?.unref();
});
Object.assign(process, { parentPort, type: 'utility' });
process.argv = [process.execPath, path.resolve(modulePath!), ...args];
await import(pathToFileURL(path.resolve(modulePath!)).href);
