// The group send socket /ws/chat/group/<from>/<key>/: a member talks to one group. Only the
// owner of the phone may open it, and only while a member of the group.
import type { Core } from '../../core/core.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { sendSocketRoute } from './commands.js';
import { FrameError } from './decode.js';

export function groupSocket(core: Core): SocketRoute {
  return sendSocketRoute(core, 'group', /^\/ws\/chat\/group\/([^/]+)\/([^/]+)\/?$/, async (context) => {
    const key = context.params[1] ?? '';
    const group = await core.groups.byKey(key);
    if (!group) throw new SocketRefusal(CLOSE.notFound, 'no group has this key');
    if (!group.members.some((m) => m.accountId === context.account.id)) {
      throw new SocketRefusal(CLOSE.forbidden, 'you are not a member of this group');
    }
    return {
      name: key,
      async conversation(frame, command) {
        if (command.to !== key) throw new FrameError(frame.command, `msg_to must be this socket's group key (${key})`);
        return group.conversation.id;
      },
    };
  });
}
