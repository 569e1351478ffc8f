import { isPinnedSource, sourceName, type ConfigSource } from './config.ts';

/**
 * The words of the control-channel setting, shared by the Settings screen that shows it and the
 * messages that send the user there, so that what a message tells the user to tick is what the
 * screen says.
 */
export const CONTROL_CHANNEL_LABEL = 'This runner uses the control channel (STIGMER_CONTROL_FD)';
export const CONTROL_CHANNEL_PLACE = 'Settings → Runner command';
/** Where the README explains the channel (the window opens no links to it). */
export const CONTROL_CHANNEL_README = 'the README, "Bring your own runner" → "The control channel"';

/** The fix for "a custom runner has no task channel", given where "off" came from. */
export function noTaskChannelFix(source: ConfigSource): string {
  if (isPinnedSource(source)) {
    return `${sourceName(source)} turns the control channel off in the environment the app was started from: if your runner reads the channel, unset it (or set it to 1) and start the app again; or clear the runner command in Settings to use the built-in runner.`;
  }
  return `If your runner reads the control channel, tick "${CONTROL_CHANNEL_LABEL}" in ${CONTROL_CHANNEL_PLACE} (or start the app with --runner-control-channel), see ${CONTROL_CHANNEL_README}; or clear the runner command in Settings to use the built-in runner.`;
}
