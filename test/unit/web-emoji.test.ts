// The web client finds emoji in message text to draw them from a colour font.
import { describe, expect, it } from 'vitest';
import { splitEmoji } from '../../web/src/emoji.js';

const emojiOf = (text: string): string[] => splitEmoji(text).filter((run) => run.emoji).map((run) => run.text);

describe('splitEmoji', () => {
  it('finds emoji, sequences, skin tones and flags, and leaves the rest as it was', () => {
    const text = 'Lunch 😂 at 3pm? ❤️👍🏽 👩‍💻 🇮🇳!';
    expect(emojiOf(text)).toEqual(['😂', '\u2764\uFE0F', '👍🏽', '👩‍💻', '🇮🇳']);
    expect(splitEmoji(text).map((run) => run.text).join('')).toBe(text);
  });

  it('leaves digits, # and *, and symbols shown as text by default, such as © and a bare ❤', () => {
    expect(emojiOf('#1 * 42 © ™ ❤ and ☺')).toEqual([]);
    expect(splitEmoji('plain')).toEqual([{ text: 'plain', emoji: false }]);
  });
});
