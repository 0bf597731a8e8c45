import { JOURNAL_MAX_NOTE_LENGTH, JOURNAL_MAX_TAG_LENGTH, JOURNAL_MAX_TAGS, JOURNAL_TAG_PATTERN } from '@tradeloop/contracts';

/** A tag as stored: trimmed, inner spaces collapsed, lower-cased; or the problem with it in words. */
export function normalizeTag(raw: unknown, field = 'tag'): string | { problem: string } {
  if (typeof raw !== 'string') return { problem: `${field} must be a string` };
  const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  if (!tag) return { problem: `${field} must not be empty` };
  if (tag.length > JOURNAL_MAX_TAG_LENGTH)
    return { problem: `${field} "${tag.slice(0, 40)}…" is longer than ${JOURNAL_MAX_TAG_LENGTH} characters` };
  if (!JOURNAL_TAG_PATTERN.test(tag))
    return { problem: `${field} "${tag}" may hold letters, digits, spaces and - _ . : / # + only, and must start with a letter or digit` };
  return tag;
}

/** The tags of an entry, unique in the order given; or the problem. */
export function normalizeTags(raw: unknown): string[] | { problem: string } {
  if (!Array.isArray(raw)) return { problem: 'tags must be an array of strings' };
  if (raw.length > JOURNAL_MAX_TAGS) return { problem: `at most ${JOURNAL_MAX_TAGS} tags on one entry, got ${raw.length}` };
  const tags: string[] = [];
  for (const [i, value] of raw.entries()) {
    const tag = normalizeTag(value, `tags[${i}]`);
    if (typeof tag !== 'string') return tag;
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

export function noteProblem(note: unknown): string | null {
  if (typeof note !== 'string') return 'note must be a string';
  if (note.length > JOURNAL_MAX_NOTE_LENGTH) return `note is ${note.length} characters; at most ${JOURNAL_MAX_NOTE_LENGTH}`;
  return null;
}
