// The match-room send socket /ws/chat/room/<phone>/: the owner talks to the partner of their
// current room, who is never named: frames say "room" where the partner's phone would be.
import type { Core } from '../../core/core.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { sendSocketRoute } from './commands.js';
import { FrameError } from './decode.js';
import { ROOM_PARTY } from './encode.js';

export function roomSocket(core: Core): SocketRoute {
  return sendSocketRoute(core, 'room', /^\/ws\/chat\/room\/([^/]+)\/?$/, async (context) => {
    const actor = context.account;
    if (!(await core.matches.current(actor))) throw new SocketRefusal(CLOSE.notFound, 'you are in no room');
    return {
      name: ROOM_PARTY,
      /** The caller's current room; acknowledging needs it, everything else needs it active. */
      async conversation(frame, command) {
        const match = await core.matches.current(actor);
        if (!match) throw new FrameError(frame.command, 'you are in no room');
        if (command.action !== 'acknowledge' && !match.active) throw new FrameError(frame.command, 'your room has ended');
        return match.conversation.id;
      },
    };
  });
}
