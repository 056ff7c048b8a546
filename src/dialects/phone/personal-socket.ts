// The personal send socket /ws/chat/personal/<from>/<to>/: the owner talks to one peer. It opens
// for any peer phone, registered or not; frames need a dialogue with a registered one.
import type { Core } from '../../core/core.js';
import type { SocketRoute } from '../../gateway/session.js';
import { sendSocketRoute } from './commands.js';
import { FrameError } from './decode.js';

export function personalSocket(core: Core): SocketRoute {
  return sendSocketRoute(core, 'personal', /^\/ws\/chat\/personal\/([^/]+)\/([^/]+)\/?$/, async (context, own) => {
    const to = context.params[1] ?? '';
    return {
      name: to,
      /**
       * The dialogue with this socket's peer. The peer is looked up per frame, and a phone nobody
       * has is answered as a stranger's (no dialogue), so the socket tells nothing about who has
       * an account.
       */
      async conversation(frame, command) {
        if (command.to !== to) throw new FrameError(frame.command, `msg_to must be this socket's peer (${to})`);
        const peer = await core.accounts.byPhone(to);
        const membership = peer && (await core.conversations.findDialogue(context.account.id, peer.id));
        if (!membership) {
          throw new FrameError(
            frame.command,
            `there is no dialogue between ${own} and ${to}: create it with POST /chat/special/personal/ ` +
              `{"msg_from": "${own}", "msg_to": "${to}"}`,
          );
        }
        return membership.conversation.id;
      },
    };
  });
}
