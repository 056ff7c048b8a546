// Emoji in message text: runs drawn from a colour emoji font. The text font comes first in the
// stack, and some (DejaVu Sans, Debian's default) have grey outlines of many emoji.

/**
 * An emoji: a character shown as emoji by default or asked to be by U+FE0F, with its skin-tone
 * modifier, joined by U+200D into sequences (👩‍💻); a pair of regional indicators is a flag.
 */
const EMOJI = /(?:\p{Regional_Indicator}{2}|(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F)\p{Emoji_Modifier}?\uFE0F?(?:\u200D(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F?)\p{Emoji_Modifier}?\uFE0F?)*)/gu;

/** The text split into plain runs and emoji runs, in order; together they are the text. */
export function splitEmoji(text: string): Array<{ text: string; emoji: boolean }> {
  const runs: Array<{ text: string; emoji: boolean }> = [];
  let last = 0;
  for (const match of text.matchAll(EMOJI)) {
    const start = match.index;
    if (start > last) runs.push({ text: text.slice(last, start), emoji: false });
    runs.push({ text: match[0], emoji: true });
    last = start + match[0].length;
  }
  if (last < text.length) runs.push({ text: text.slice(last), emoji: false });
  return runs;
}
