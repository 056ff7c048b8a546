// The phone seed's test pages (notes §7), rebuilt without CDN scripts: the same sockets, buttons
// and frames as the originals'. The socket scheme follows the page's (the original chose ws://
// only on 127.0.0.1:8000), and the session cookie authenticates the sockets.

const page = document.body.dataset.page ?? 'index';
const main = document.getElementById('page') as HTMLElement;

function value(id: string): string {
  const element = document.getElementById(id);
  return element ? (JSON.parse(element.textContent ?? '""') as string) : '';
}

function scheme(): string {
  return location.protocol === 'https:' ? 'wss://' : 'ws://';
}

/** The originals' local timestamp: `YYYY-MM-DD HH:MM:SS.<ms>` (the room page uses `T`); Parley reads it. */
function stamp(separator: string): string {
  const d = new Date();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}${separator}${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', attributes: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, v] of Object.entries(attributes)) node.setAttribute(name, v);
  return node;
}

function field(id: string, label: string, placeholder = ''): HTMLInputElement {
  const input = element('input', '', { id, placeholder });
  const wrapper = element('label', `${label} `);
  wrapper.append(input);
  main.append(wrapper);
  return input;
}

function button(text: string, onClick: () => void): void {
  const b = element('button', text, { type: 'button' });
  b.addEventListener('click', onClick);
  main.append(b);
}

function indexPage(): void {
  main.append(element('h1', 'Parley test pages'));
  const from = field('from', 'Your phone');
  const to = field('to', 'Their phone');
  const grp = field('grp', 'Group key');
  button('Personal chat', () => location.assign(`/chat/personal/${encodeURIComponent(from.value)}/${encodeURIComponent(to.value)}/`));
  button('Group chat', () => location.assign(`/chat/group/${encodeURIComponent(from.value)}/${encodeURIComponent(grp.value)}/`));
  button('Match room', () => location.assign(`/chat/room/${encodeURIComponent(from.value)}/`));
}

function chatPage(kind: 'personal' | 'group' | 'room'): void {
  const from = value('msg_from');
  const to = kind === 'personal' ? value('msg_to') : kind === 'group' ? value('grp') : 'room';
  const separator = kind === 'room' ? 'T' : ' ';
  main.append(element('h1', kind === 'personal' ? `${from} → ${to}` : kind === 'group' ? `${from} in group ${to}` : `${from} in the match room`));
  const log = element('ol', '', { id: 'log', 'aria-live': 'polite' });
  const show = (className: string, text: string): void => {
    log.append(element('li', text, { class: className }));
  };
  const sendPath = kind === 'personal' ? `/ws/chat/personal/${from}/${to}/` : kind === 'group' ? `/ws/chat/group/${from}/${to}/` : `/ws/chat/room/${from}/`;
  const receive = new WebSocket(`${scheme()}${location.host}/ws/chat/special/${from}/`);
  const send = new WebSocket(`${scheme()}${location.host}${sendPath}`);
  const sockets: Array<[string, WebSocket]> = [['receive', receive], ['send', send]];
  for (const [name, socket] of sockets) {
    socket.addEventListener('open', () => show('status', `${name} socket open`));
    socket.addEventListener('close', (event) => show('status', `${name} socket closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`));
  }
  const shownFrom = (sender: string): string => (sender.length > 10 ? sender.slice(sender.lastIndexOf('-') + 1) : kind === 'room' ? 'ROOM' : sender);
  receive.addEventListener('message', (event) => {
    const data = JSON.parse(String(event.data)) as Record<string, unknown>;
    const command = String(data.command);
    switch (command) {
      case 'new_msg':
        show('new_msg', `${shownFrom(String(data.msg_from))}: ${String(data.message)} (${String(data.sent_timestamp)})`);
        break;
      case 'msg_received':
      case 'msg_read':
        show(command, `${command} ${String(data.message)} at ${String(data.sent_timestamp)}`);
        break;
      case 'fetch_msgs':
      case 'fetch_grp_msgs':
      case 'fetch_room_msgs':
        for (const item of JSON.parse(String(data.messages)) as Array<Record<string, string>>) {
          show('new_msg', `${shownFrom(String(item.msg_from))}: ${String(item.message)} (${String(item.sent_timestamp)})`);
        }
        break;
      case 'is_typing':
        show('is_typing', `${shownFrom(String(data.msg_from))} is typing`);
        break;
      case 'update': {
        const message = data.message as { type?: string; command?: string };
        show('update', `update: ${String(message.type)} ${String(message.command)}`);
        break;
      }
      case 'error':
        show('error', `error (${String(data.type)}): ${String(data.message)}`);
        break;
      default:
        show('other', String(event.data));
    }
  });
  send.addEventListener('message', (event) => {
    const data = JSON.parse(String(event.data)) as Record<string, unknown>;
    if (data.command === 'msg_sent') show('msg_sent', `sent ${String(kind === 'personal' ? data.sent_timestamp : data.message)}`);
    else if (data.command === 'error') show('error', `error (${String(data.type)}): ${String(data.message)}`);
    else show('other', String(event.data));
  });

  const text = field('message', 'Message');
  const ref = field('timestamp', 'Timestamp to acknowledge', 'paste a sent_timestamp');
  const group = kind === 'group';
  const frame = (command: string, message: string): string =>
    JSON.stringify({ command, message, msg_from: from, msg_to: to, sent_timestamp: stamp(separator) });
  button('Send', () => send.send(frame(group ? 'new_grp_msg' : 'new_msg', text.value)));
  button('Typing', () => send.send(frame(group ? 'is_grp_typing' : 'is_typing', '-null-')));
  button('Received', () => send.send(frame(group ? 'grp_msg_received' : 'msg_received', ref.value)));
  button('Read', () => send.send(frame(group ? 'grp_msg_read' : 'msg_read', ref.value)));
  const fetchFrame = (command: string, message: string, sender: string): string =>
    JSON.stringify({ command, message, msg_from: sender, msg_to: from, sent_timestamp: stamp(separator) });
  if (kind === 'personal') button('Fetch', () => receive.send(fetchFrame('fetch_msgs', 'none', to)));
  if (kind === 'group') {
    button('Fetch', () => receive.send(fetchFrame('fetch_msgs', 'none', to)));
    button('Fetch group', () => receive.send(fetchFrame('fetch_grp_msgs', '--null--', to)));
  }
  if (kind === 'room') button('Fetch room', () => receive.send(fetchFrame('fetch_room_msgs', '--null--', 'room')));
  main.append(log);
}

if (page === 'personal' || page === 'group' || page === 'room') chatPage(page);
else indexPage();
