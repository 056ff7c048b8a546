// Reactions as emoji buttons: one per reaction a message has, with its count, and a picker to
// add one. The wire keeps the rooms dialect's names; the emoji are the client's.
import { h } from './dom.js';

export const REACTIONS = ['Like', 'Cool', 'HaHa', 'Heart', 'Anger', 'Smile', 'Sad'] as const;
export const REACTION_EMOJI: Record<string, string> = {
  Like: '👍',
  Cool: '😎',
  HaHa: '😂',
  Heart: '❤️',
  Anger: '😠',
  Smile: '🙂',
  Sad: '😢',
};

function countLabel(name: string, count: number): string {
  return `${name}, ${count} ${count === 1 ? 'reaction' : 'reactions'}`;
}

/**
 * A button per reaction with a count, in the picker's order. Pressing one reacts the same way
 * (the server adds mine, or takes it back if I had given it). Neither the history nor the
 * `reacted` frame says who reacted, so the buttons cannot show whether one of them is mine.
 */
export function reactionButtons(messageId: string, reactions: Record<string, number>, react: (name: string) => void): HTMLElement | null {
  const order = (name: string): number => {
    const index = (REACTIONS as readonly string[]).indexOf(name);
    return index < 0 ? REACTIONS.length : index;
  };
  const given = Object.entries(reactions)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => order(a) - order(b));
  if (given.length === 0) return null;
  return h(
    'div',
    { class: 'reactions', role: 'group', 'aria-label': 'Reactions' },
    ...given.map(([name, count]) =>
      h(
        'button',
        { type: 'button', class: 'reaction', 'data-reaction': name, 'data-focus': `reaction:${messageId}:${name}`, 'aria-label': countLabel(name, count), title: name, onclick: () => react(name) },
        h('span', { class: 'emoji', 'aria-hidden': 'true' }, REACTION_EMOJI[name] ?? name),
        ' ',
        h('span', { class: 'count', 'aria-hidden': 'true' }, String(count)),
      ),
    ),
  );
}

export function addReactionButton(messageId: string, open: boolean, toggle: () => void): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'add-reaction',
      'data-focus': `add-reaction:${messageId}`,
      'aria-label': 'Add reaction',
      'aria-expanded': open ? 'true' : 'false',
      'aria-controls': open ? `reaction-picker-${messageId}` : null,
      title: 'Add reaction',
      onclick: toggle,
    },
    h('span', { class: 'emoji', 'aria-hidden': 'true' }, '🙂'),
    h('span', { 'aria-hidden': 'true' }, '+'),
  );
}

/** The emoji to choose from; arrow keys move along it, Escape closes it. */
export function reactionPicker(messageId: string, choose: (name: string) => void, close: () => void): HTMLElement {
  const picker = h(
    'div',
    { class: 'reaction-picker', id: `reaction-picker-${messageId}`, role: 'group', 'aria-label': 'Choose a reaction' },
    ...REACTIONS.map((name) =>
      h(
        'button',
        { type: 'button', 'data-focus': `pick:${messageId}:${name}`, 'aria-label': `React with ${name}`, title: name, onclick: () => choose(name) },
        REACTION_EMOJI[name] ?? name,
      ),
    ),
  );
  picker.addEventListener('keydown', (event) => {
    const buttons = [...picker.querySelectorAll('button')];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && index >= 0) {
      event.preventDefault();
      buttons[(index + (event.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    }
  });
  return picker;
}
