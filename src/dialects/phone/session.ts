// What every phone socket shares: decode a frame, run the handler of its command, and answer
// any refusal with an error frame on the same socket, which stays open.
import type { Core } from '../../core/core.js';
import { CoreError, isStoreUnavailable } from '../../core/errors.js';
import type { ReceiptInput } from '../../core/messages.js';

import type { SocketContext, SocketSession } from '../../gateway/session.js';
import { decodeFrame, FrameError, renderError, type Envelope } from './frames.js';
import { PHONE_WORDING } from './wording.js';

export type CommandHandler = (frame: Envelope) => Promise<void>;

export interface PhoneSessionOptions {
  context: SocketContext;
  /** The commands this socket takes; any other command is refused. */
  commands: Record<string, CommandHandler>;
  /** msg_from / msg_to on this socket's error frames. */
  errorParties: { from: string | null; to: string | null };
  /** Where a command that belongs on another socket should go, to say so in the error. */
  elsewhere?: Record<string, string>;
  onEvent?: SocketSession['onEvent'];
}

export function phoneSession(options: PhoneSessionOptions): SocketSession {
  const { context, commands, errorParties, elsewhere = {} } = options;
  const sendError = (type: string, message: string): void =>
    context.connection.send(renderError(type, message, errorParties.from, errorParties.to));

  return {
    onEvent: options.onEvent,
    onInvalidText() {
      sendError('invalid', 'frame is not valid UTF-8');
    },
    async onFrame(text: string): Promise<void> {
      let command = 'invalid';
      try {
        const frame = decodeFrame(text);
        command = frame.command;
        const handler = Object.hasOwn(commands, command) ? commands[command] : undefined;
        if (!handler) {
          const where = Object.hasOwn(elsewhere, command) ? elsewhere[command] : undefined;
          throw new FrameError(command, where ? `${command} is sent on ${where}` : `unknown command '${command}'`);
        }
        await handler(frame);
      } catch (error) {
        if (error instanceof FrameError) sendError(error.type, error.message);
        else if (error instanceof CoreError) sendError(command, PHONE_WORDING.error(error));
        else if (isStoreUnavailable(error)) sendError(command, 'the database is unavailable; try again shortly');
        else {
          sendError(command, 'the server could not handle this command; try again');
          throw error;
        }
      }
    },
  };
}

/** Refuses a frame whose msg_from is not the socket owner's phone. */
export function requireSelf(frame: Envelope, value: string, own: string): void {
  if (value !== own) throw new FrameError(frame.command, `msg_from must be your own phone (${own})`);
}

/** Acknowledges the message sent at `ref`; none pending answers the original's delete_msg error. */
export async function acknowledgeOrRefuse(core: Core, receipt: ReceiptInput): Promise<void> {
  if (!(await core.messages.acknowledge(receipt))) {
    throw new FrameError('delete_msg', 'could not find the message you wanted to delete');
  }
}
