/// <reference types="vite/client" />

declare module 'virtual:recur-data/names' {
  /** The two @stdlib first-name lists, as shipped. */
  const names: { female: string[]; male: string[] };
  export default names;
}

declare module 'virtual:recur-data/births' {
  /** The @stdlib US births rows, one array per column. */
  const births: {
    year: number[];
    month: number[];
    date_of_month: number[];
    day_of_week: number[];
    births: number[];
  };
  export default births;
}
