/** Preprocessing of each dataset, on the real data the packages ship. */
import { describe, expect, it } from 'vitest';
import {
  birthsSeries,
  bostonTable,
  buildVocabulary,
  calendarFeatureCount,
  calendarFeatures,
  decodeName,
  editDistance,
  encodeName,
  fitStandardiser,
  forecastInputSize,
  forecastTask,
  listedNames,
  mailSubject,
  prepareMail,
  pronunciations,
  specialDayNames,
  specialDays,
  splitIndices,
  tokenize,
  UNK,
  weekdayOf,
} from './index.js';
import { loadBirths, loadBoston, loadCmudict, loadFirstNames, loadSpamAssassin } from './node.js';

describe('splitIndices', () => {
  it('is a deterministic partition that changes with the seed', () => {
    const a = splitIndices(100, 0.2, 1);
    expect(a.test).toHaveLength(20);
    expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(splitIndices(100, 0.2, 1)).toEqual(a);
    expect(splitIndices(100, 0.2, 2).test).not.toEqual(a.test);
  });
  it('refuses bad arguments', () => {
    expect(() => splitIndices(1, 0.2, 1)).toThrow(/count/);
    expect(() => splitIndices(10, 1, 1)).toThrow(/testFraction/);
  });
});

describe('boston', () => {
  it('506 rows of 13 features; standardised training columns have mean 0 and std 1', () => {
    const table = bostonTable(loadBoston());
    expect(table.features).toHaveLength(506);
    expect(table.features[0]).toHaveLength(13);
    expect(table.targets[0]).toBe(24);
    const z = fitStandardiser(table.features).apply(table.features);
    const mean = z.reduce((s, r) => s + r[5]!, 0) / z.length;
    const variance = z.reduce((s, r) => s + r[5]! ** 2, 0) / z.length;
    expect(mean).toBeCloseTo(0, 10);
    expect(variance).toBeCloseTo(1, 10);
  });
});

describe('spam', () => {
  const raw = [
    'From spammer@example.com  Thu Aug 22 13:17:22 2002',
    'Received: from mail.example.com by relay',
    '\tfor <victim@example.org>',
    'Subject: Cheap meds =',
    ' today',
    'Content-Type: text/html; charset="iso-8859-1"',
    '',
    '<html><body><p>Buy n=',
    'ow for $5!!! Visit http://x.example.com &amp; save</p></body></html>',
  ].join('\n');

  it('keeps the subject, drops every other header, decodes quoted-printable and strips HTML', () => {
    expect(mailSubject(raw)).toBe('Cheap meds = today');
    const mail = prepareMail({ id: '1', group: 'spam-1', text: raw });
    expect(mail.label).toBe(1);
    expect(mail.tokens).toEqual([
      'cheap',
      'meds',
      'today',
      '<body>',
      'buy',
      'now',
      'for',
      '$',
      '<num>',
      '!',
      '!',
      '!',
      'visit',
      '<url>',
      'save',
    ]);
    expect(mail.tokens).not.toContain('received');
    expect(prepareMail({ id: '2', group: 'easy-ham-1', text: raw }, 3).tokens).toEqual([
      'cheap',
      'meds',
      'today',
    ]);
  });

  it('tokenizes addresses and numbers into placeholders', () => {
    expect(tokenize("Mail joe@example.com, it's 3,000.50")).toEqual(['mail', '<email>', "it's", '<num>']);
  });

  it('the corpus has 6046 mails, 1896 of them spam, and no mail keeps a routing header', () => {
    const mails = loadSpamAssassin().map((m) => prepareMail(m, 50));
    expect(mails).toHaveLength(6046);
    expect(mails.filter((m) => m.label === 1)).toHaveLength(1896);
    const vocabulary = buildVocabulary(
      mails.map((m) => m.tokens),
      { maxSize: 100 },
    );
    expect(vocabulary.tokens).toHaveLength(100);
    expect(vocabulary.id('no-such-token')).toBe(UNK);
    // 'delivered-to'/'return-path' would only appear if headers leaked.
    expect(vocabulary.tokens).not.toContain('localhost');
  });
});

describe('names', () => {
  it('lower-case names from both lists, framed by the boundary marker', () => {
    const { female, male } = loadFirstNames();
    const names = listedNames(female, male);
    // 4951 names, 7 of them repeated in another capitalisation.
    expect(names.filter((n) => n.list === 0)).toHaveLength(4944);
    expect(names.filter((n) => n.list === 1).length).toBeGreaterThan(3800);
    expect(names.every((n) => /^[a-z-]+$/.test(n.name))).toBe(true);
    const ids = encodeName('anne-marie');
    expect(ids[0]).toBe(1);
    expect(ids.at(-1)).toBe(1);
    expect(decodeName(ids.slice(1))).toBe('anne-marie');
  });
});

describe('calendar and births', () => {
  it('federal holidays follow the rules of their year', () => {
    const find = (year: number, name: string) =>
      specialDays(year)
        .find((d) => d[0] === name)
        ?.slice(1);
    expect(find(1970, 'memorial')).toEqual([5, 30]);
    expect(find(1971, 'memorial')).toEqual([5, 31]);
    expect(find(1988, 'thanksgiving')).toEqual([11, 24]);
    expect(find(1975, 'veterans')).toEqual([10, 27]);
    expect(find(1980, 'veterans')).toEqual([11, 11]);
    expect(find(1985, 'mlk')).toBeUndefined();
    expect(find(1986, 'mlk')).toEqual([1, 20]);
    expect(weekdayOf(1969, 1, 1)).toBe(2); // a Wednesday
  });

  it('calendar features: weekday, season, special days, observed holidays', () => {
    // 1976-07-05 was the Monday after Independence Day (a Sunday) — observed.
    const f = calendarFeatures({ year: 1976, month: 7, day: 5, weekday: 0 });
    expect(f).toHaveLength(calendarFeatureCount);
    expect(f[0]).toBe(1);
    expect(f.at(-1)).toBe(1);
    const christmas = calendarFeatures({ year: 1980, month: 12, day: 25, weekday: weekdayOf(1980, 12, 25) });
    expect(christmas[9 + specialDayNames.indexOf('christmas')]).toBe(1);
  });

  it('7305 consecutive days; training windows never touch the held-out years', () => {
    const series = birthsSeries(loadBirths());
    expect(series.births).toHaveLength(7305);
    const task = forecastTask(series, { seed: 3 });
    expect(task.testYears).toHaveLength(4);
    expect(task.testYears).not.toContain(1969);
    const yearOf = (t: number) => series.days[t]!.year;
    for (const origin of task.trainOrigins) {
      expect(task.testYears).not.toContain(yearOf(origin - 56));
      expect(task.testYears).not.toContain(yearOf(origin + 6));
    }
    expect(task.testOrigins.every((o) => task.testYears.includes(yearOf(o)))).toBe(true);
    const batch = task.batch(task.testOrigins.slice(0, 2));
    expect(batch.inputs).toHaveLength(63 * 2 * forecastInputSize);
    // Seasonal naive is the count a week earlier; the target is the correction to it.
    const origin = task.testOrigins[0]!;
    expect(batch.naive[0]).toBe(series.births[origin - 7]);
    expect(batch.actual[0]).toBe(series.births[origin]);
    expect(batch.targets[0]).toBeCloseTo((batch.actual[0]! - batch.naive[0]!) / batch.scales[0]!, 6);
    // Forecast days carry no observed count.
    expect(batch.inputs[(56 * 2 + 0) * forecastInputSize + 1]).toBe(0);
  });
});

describe('cmudict', () => {
  it('letter-only words of up to 12 letters, first pronunciation, stress removed', () => {
    const dict = { HELLO: 'HH AH0 L OW1', 'HELLO(1)': 'HH EH0 L OW1', "DON'T": 'D OW1 N T', A42128: 'EY1' };
    expect(pronunciations(dict)).toEqual([{ word: 'HELLO', phonemes: ['HH', 'AH', 'L', 'OW'] }]);
    const all = pronunciations(loadCmudict(), 12);
    expect(all.length).toBe(113_672);
    expect(all.every((p) => p.word.length <= 12)).toBe(true);
  });

  it('edit distance', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
    expect(editDistance([], ['a'])).toBe(1);
  });
});
