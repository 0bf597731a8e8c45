import { describe, expect, it } from '@jest/globals';
import { byId, listedArms, pageOfStrategy } from './strategy-listing.js';

interface Row {
  id: string;
  at: number;
}

const newestFirst = (a: Row, b: Row) => b.at - a.at || byId(a, b);
const [LISTED, UNLISTED] = listedArms('record');

/** A strategy's rows in two parts, read as a database would: each in page order, `skip` then `take`. */
function parts(listed: Row[], unlisted: Row[]) {
  const reads: { arm: string; skip: number; take: number }[] = [];
  const read = async (arm: string, skip: number, take: number) => {
    reads.push({ arm, skip, take });
    const part = arm === LISTED ? listed : arm === UNLISTED ? unlisted : [];
    return [...part].sort(newestFirst).slice(skip, skip + take);
  };
  return { read, reads };
}

/** A small random history: times collide often, so ties are put in id order. */
function history(seed: number, size: number): Row[] {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: size }, (_, i) => ({ id: `id-${String(i).padStart(3, '0')}`, at: Math.floor(random() * size) }));
}

describe('pageOfStrategy', () => {
  it('pages the listed and the unlisted rows as one list, at every offset and size', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rows = history(seed, 30);
      // The unlisted part: any rows (a clock may step back), mostly the newest.
      const unlisted = rows.filter((row, i) => (seed % 3 === 0 ? i % 4 === 0 : row.at > 22));
      const listed = rows.filter((row) => !unlisted.includes(row));
      const whole = [...rows].sort(newestFirst);
      for (let offset = 0; offset <= 32; offset++)
        for (const limit of [1, 2, 3, 5, 8, 40]) {
          const { read } = parts(listed, unlisted);
          const page = await pageOfStrategy(read, newestFirst, offset, limit);
          expect(page.map((row) => row.id)).toEqual(whole.slice(offset, offset + limit).map((row) => row.id));
        }
    }
  });

  it('reads the unlisted part first, and of the listed part no more than the page can hold', async () => {
    const rows = history(7, 40);
    const unlisted = rows.slice(0, 3);
    const { read, reads } = parts(rows.slice(3), unlisted);
    await pageOfStrategy(read, newestFirst, 20, 5);
    expect(reads).toEqual([
      { arm: UNLISTED, skip: 0, take: 25 },
      { arm: LISTED, skip: 17, take: 8 },
    ]);
  });

  it('keeps once a row listed between the two reads', async () => {
    const rows = history(3, 10);
    const listed = rows.slice(0, 6);
    const unlisted = rows.slice(6);
    const read = async (arm: string, skip: number, take: number) => {
      const page = await parts(listed, unlisted).read(arm, skip, take);
      // Listed in between: the next read finds every row listed.
      if (arm === UNLISTED) listed.push(...unlisted.splice(0));
      return page;
    };
    const page = await pageOfStrategy(read, newestFirst, 0, 20);
    expect(page.map((row) => row.id)).toEqual([...rows].sort(newestFirst).map((row) => row.id));
  });
});
