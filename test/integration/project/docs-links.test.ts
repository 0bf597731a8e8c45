import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** Every Markdown file a reader of the repository opens: the front door, the manual, the guides. */
const PAGES = [
  'README.md',
  'SECURITY.md',
  'plugins/README.md',
  'strategies/README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (file: string) =>
  new Set(
    readFileSync(file, 'utf8')
      .replace(/```[\s\S]*?```/g, '')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ''))),
  );

/** Relative links (and images) of a page, code blocks and spans left out. */
function linksOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/i.test(target));
}

describe('the documentation', () => {
  it.each(PAGES)('%s: every relative link reaches a file (and heading) of the repository', (page) => {
    const broken: string[] = [];
    for (const link of linksOf(page)) {
      const [path, anchor] = link.split('#');
      const target = path ? normalize(join(dirname(page), decodeURI(path))) : page;
      if (!existsSync(target)) broken.push(`${link}: no such file`);
      else if (anchor && statSync(target).isFile() && target.endsWith('.md') && !anchorsOf(target).has(anchor))
        broken.push(`${link}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it('every docs page is in the index, and leads back to it', () => {
    const index = readFileSync('docs/README.md', 'utf8');
    for (const page of readdirSync('docs').filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      expect([page, index.includes(`](${page})`)]).toEqual([page, true]);
      expect([page, linksOf(join('docs', page))]).toEqual([page, expect.arrayContaining(['README.md'])]);
    }
  });

  it('the README stays a front door: short, with the dashboard in a picture', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(linksOf('README.md')).toContain('docs/images/dashboard.png');
  });
});
