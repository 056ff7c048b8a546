// Start-up: who is logged in (the session cookie), else the log-in form; then both dialects.
import { h } from './dom.js';
import { worstLink } from './link.js';
import { Inbox, type Conversation, type Dialect } from './model.js';
import { api, HttpFailure } from './net.js';
import { PhoneDialect } from './phone.js';
import { RoomsDialect } from './rooms.js';
import { View } from './ui.js';

interface Me {
  id: number;
  email: string;
  username: string;
  phone: string | null;
  first_name: string;
}

const root = document.getElementById('app') as HTMLElement;

/** After log-in, go back to a test page that sent the visitor here (same site only). */
function nextPage(): string | undefined {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/chat\//.test(next) ? next : undefined;
}

async function whoAmI(): Promise<Me | undefined> {
  try {
    return await api<Me>('GET', '/web/me');
  } catch (error) {
    if (error instanceof HttpFailure && error.status === 401) return undefined;
    throw error;
  }
}

function loginForm(): void {
  const message = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to Parley'),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Account'),
      h('label', {}, h('input', { type: 'radio', name: 'dialect', value: 'phone', checked: true }), ' Phone app (username, e-mail or phone number)'),
      h('label', {}, h('input', { type: 'radio', name: 'dialect', value: 'rooms' }), ' Rooms app (e-mail)'),
    ),
    h('label', { for: 'login-id' }, 'Username, e-mail or phone'),
    h('input', { id: 'login-id', name: 'id', autocomplete: 'username', required: true }),
    h('label', { for: 'login-password' }, 'Password'),
    h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit' }, 'Log in'),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const id = String(data.get('id') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const request =
      data.get('dialect') === 'rooms'
        ? api('POST', '/api/user/login/', { email: id, password })
        : api('POST', '/auth/login/', { [/^\d{10}$/.test(id) ? 'ph_num' : id.includes('@') ? 'email' : 'username']: id, password });
    request.then(
      () => {
        const next = nextPage();
        if (next) location.assign(next);
        else void boot();
      },
      () => (message.textContent = 'Those credentials did not work.'),
    );
  });
  root.replaceChildren(h('main', {}, form));
  (document.getElementById('login-id') as HTMLInputElement).focus();
}

async function boot(): Promise<void> {
  const me = await whoAmI();
  if (!me) return loginForm();
  let view: View | undefined;
  const linkChanged = (): void => view?.linkChanged();
  const inbox = new Inbox((changed) => view?.render(changed));
  const phone = me.phone ? new PhoneDialect(me.phone, inbox, linkChanged) : undefined;
  const rooms = new RoomsDialect(inbox, linkChanged);
  const dialects: Dialect[] = phone ? [phone, rooms] : [rooms];
  view = new View({
    root,
    inbox,
    me: me.phone ? `${me.username} (${me.phone})` : me.first_name || me.email,
    dialectOf: (conversation: Conversation) => dialects.find((d) => d.owns(conversation)) ?? rooms,
    newDialogue: phone && ((peer) => phone.startDialogue(peer)),
    search: { covers: (conversation) => rooms.owns(conversation), run: (query, within, page) => rooms.search(query, within, page) },
    link: () => worstLink(dialects.map((dialect) => dialect.link())),
    logout: () => {
      for (const dialect of dialects) dialect.stop();
      void api('POST', '/auth/logout/').finally(() => location.assign('/'));
    },
  });
  await Promise.all(dialects.map((dialect) => dialect.start()));
  view.linkChanged();
}

boot().catch((error: unknown) => {
  root.replaceChildren(h('p', { role: 'alert' }, `Parley could not start: ${error instanceof Error ? error.message : String(error)}`));
});
