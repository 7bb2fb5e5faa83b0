/**
 * US calendar facts for the births series: weekdays and the holidays (federal ones with their
 * 1969–1988 rules, plus days known to move births such as Christmas Eve and Halloween).
 */

/** A calendar day. `weekday`: 0 = Monday … 6 = Sunday. */
export interface Day {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  readonly weekday: number;
}

/** Weekday (0 = Monday) of a Gregorian date. */
export function weekdayOf(year: number, month: number, day: number): number {
  // Date.UTC avoids time zones; getUTCDay is 0 = Sunday.
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

/** Day of month of the `n`th given weekday (n = −1: the last) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = weekdayOf(year, month, 1);
    return 1 + ((weekday - first + 7) % 7) + 7 * (n - 1);
  }
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekdayOf(year, month, days);
  return days - ((last - weekday + 7) % 7);
}

const MON = 0;
const THU = 3;

/**
 * Special days of a year as `[name, month, day]`. Federal holidays follow the rules in force that
 * year (the Uniform Monday Holiday Act moved several to Mondays from 1971; Veterans Day was on the
 * fourth Monday of October 1971–1977; Martin Luther King Jr. Day began in 1986).
 */
export function specialDays(year: number): [string, number, number][] {
  const monday = year >= 1971;
  const days: [string, number, number][] = [
    ['new-year', 1, 1],
    ['valentine', 2, 14],
    ['presidents', 2, monday ? nthWeekday(year, 2, MON, 3) : 22],
    ['april-fools', 4, 1],
    ['memorial', 5, monday ? nthWeekday(year, 5, MON, -1) : 30],
    ['independence', 7, 4],
    ['labor', 9, nthWeekday(year, 9, MON, 1)],
    ['columbus', 10, monday ? nthWeekday(year, 10, MON, 2) : 12],
    ['halloween', 10, 31],
    ['thanksgiving', 11, nthWeekday(year, 11, THU, 4)],
    ['black-friday', 11, nthWeekday(year, 11, THU, 4) + 1],
    ['christmas-eve', 12, 24],
    ['christmas', 12, 25],
    ['boxing-day', 12, 26],
    ['new-year-eve', 12, 31],
  ];
  if (year >= 1971 && year <= 1977) days.push(['veterans', 10, nthWeekday(year, 10, MON, 4)]);
  else days.push(['veterans', 11, 11]);
  if (year >= 1986) days.push(['mlk', 1, nthWeekday(year, 1, MON, 3)]);
  return days;
}

/** Names of the special days, in feature order. */
export const specialDayNames = [
  'new-year',
  'mlk',
  'valentine',
  'presidents',
  'april-fools',
  'memorial',
  'independence',
  'labor',
  'columbus',
  'veterans',
  'halloween',
  'thanksgiving',
  'black-friday',
  'christmas-eve',
  'christmas',
  'boxing-day',
  'new-year-eve',
] as const;

const federal = new Set([
  'new-year',
  'mlk',
  'presidents',
  'memorial',
  'independence',
  'labor',
  'columbus',
  'veterans',
  'thanksgiving',
  'christmas',
]);

/**
 * Calendar features of one day: weekday one-hot (7), position in the year as sin/cos (2), one
 * indicator per special day (17), and whether a weekend federal holiday is observed on this
 * Friday or Monday (1). 27 numbers, all known in advance, so they may describe forecast days.
 */
export function calendarFeatures(d: Day): number[] {
  const features = new Array<number>(7 + 2 + specialDayNames.length + 1).fill(0);
  features[d.weekday] = 1;
  const dayOfYear = (Date.UTC(d.year, d.month - 1, d.day) - Date.UTC(d.year, 0, 1)) / 86_400_000;
  features[7] = Math.sin((2 * Math.PI * dayOfYear) / 365.25);
  features[8] = Math.cos((2 * Math.PI * dayOfYear) / 365.25);
  for (const [name, month, day] of specialDays(d.year)) {
    if (month === d.month && day === d.day) features[9 + specialDayNames.indexOf(name as never)] = 1;
  }
  // A fixed-date federal holiday on a Saturday is observed the Friday before, on a Sunday the Monday after.
  const observed = (offset: number) => {
    const t = new Date(Date.UTC(d.year, d.month - 1, d.day + offset));
    const y = t.getUTCFullYear();
    return specialDays(y).some(
      ([name, month, day]) => federal.has(name) && month === t.getUTCMonth() + 1 && day === t.getUTCDate(),
    );
  };
  if ((d.weekday === 4 && observed(1)) || (d.weekday === 0 && observed(-1)))
    features[features.length - 1] = 1;
  return features;
}

/** Number of calendar features per day. */
export const calendarFeatureCount = 7 + 2 + specialDayNames.length + 1;
