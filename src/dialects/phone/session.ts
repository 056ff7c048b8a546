// What every phone socket shares: decode a frame, run the handler of its command, and answer
// any refusal with an error frame on the same socket, which stays open. A session is a class
// instance, not a bundle of closures: an idle socket holds its fields, not a function each.
import { CoreError, isStoreUnavailable } from '../../core/errors.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketContext, type SocketSession } from '../../gateway/session.js';
import { decodeFrame, FrameError, type Envelope } from './decode.js';
import { renderError } from './encode.js';
import { PHONE_WORDING } from './wording.js';

/** The socket owner's phone, which the path names first; anyone else's phone is refused. */
export function ownPhone(context: SocketContext): string {
  const own = context.account.phone;
  if (own === null || context.params[0] !== own) throw new SocketRefusal(CLOSE.forbidden, 'this phone is not yours');
  return own;
}

export type CommandHandler = (frame: Envelope) => Promise<void>;

export abstract class PhoneSession implements SocketSession {
  constructor(
    protected readonly context: SocketContext,
    /** msg_from / msg_to on this socket's error frames. */
    private readonly errorFrom: string | null,
    private readonly errorTo: string | null,
    /** Where a command that belongs on another socket should go, to say so in the error. */
    private readonly elsewhere: Readonly<Record<string, string>>,
  ) {}

  /** Runs the command if this socket takes it; undefined if it does not. */
  protected abstract run(command: string, frame: Envelope): Promise<void> | undefined;

  onInvalidText(): void {
    this.sendError('invalid', 'frame is not valid UTF-8');
  }

  async onFrame(text: string): Promise<void> {
    let command = 'invalid';
    try {
      const frame = decodeFrame(text);
      command = frame.command;
      const running = this.run(command, frame);
      if (!running) {
        const where = Object.hasOwn(this.elsewhere, command) ? this.elsewhere[command] : undefined;
        throw new FrameError(command, where ? `${command} is sent on ${where}` : `unknown command '${command}'`);
      }
      await running;
    } catch (error) {
      if (error instanceof FrameError) this.sendError(error.type, error.message);
      else if (error instanceof CoreError) this.sendError(command, PHONE_WORDING.error(error));
      else if (isStoreUnavailable(error)) this.sendError(command, 'the database is unavailable; try again shortly');
      else {
        this.sendError(command, 'the server could not handle this command; try again');
        throw error;
      }
    }
  }

  private sendError(type: string, message: string): void {
    this.context.connection.send(renderError(type, message, this.errorFrom, this.errorTo));
  }
}

export interface PhoneSessionOptions {
  context: SocketContext;
  /** The commands this socket takes; any other command is refused. */
  commands: Record<string, CommandHandler>;
  /** msg_from / msg_to on this socket's error frames. */
  errorParties: { from: string | null; to: string | null };
  /** Where a command that belongs on another socket should go, to say so in the error. */
  elsewhere?: Readonly<Record<string, string>>;
}

/** A session whose commands are handlers of its own. */
class TableSession extends PhoneSession {
  private readonly commands: Record<string, CommandHandler>;

  constructor(options: PhoneSessionOptions) {
    super(options.context, options.errorParties.from, options.errorParties.to, options.elsewhere ?? {});
    this.commands = options.commands;
  }

  protected run(command: string, frame: Envelope): Promise<void> | undefined {
    const handler = Object.hasOwn(this.commands, command) ? this.commands[command] : undefined;
    return handler?.(frame);
  }
}

export function phoneSession(options: PhoneSessionOptions): SocketSession {
  return new TableSession(options);
}
